// site_builder: the desk's own field, "suggest": a text box that offers the values in use (an
// HTML <datalist>, `options` in config.yml) and takes a new one as typed. Decap's `select` cannot
// add a value and its `string` offers none; a category is "choose or add". Loaded after
// decap-cms.js, with React as Decap exposes it (`h`, `createClass`), no build step.
(function () {
  "use strict";
  var h = window.h;

  var Control = window.createClass({
    changed: function (event) { this.props.onChange(event.target.value); },
    render: function () {
      var options = this.props.field.get("options");
      var listId = this.props.forID + "-goi-y";
      return h("div", null,
        h("input", {
          type: "text", id: this.props.forID, className: this.props.classNameWrapper,
          value: this.props.value || "", onChange: this.changed, list: listId, autoComplete: "off",
          onFocus: this.props.setActiveStyle, onBlur: this.props.setInactiveStyle
        }),
        h("datalist", { id: listId }, (options ? options.toJS() : []).map(function (option) {
          return h("option", { key: option, value: option });
        })));
    }
  });

  var Preview = window.createClass({
    render: function () { return h("span", null, this.props.value || ""); }
  });

  window.CMS.registerWidget("suggest", Control, Preview, {
    properties: { options: { type: "array", items: { type: "string" } } }
  });
})();
