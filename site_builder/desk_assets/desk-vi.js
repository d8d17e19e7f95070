// site_builder: the phrases Decap CMS's Vietnamese locale lacks (77 of them in decap-cms 3.16.3;
// Decap shows English for a missing phrase). Loaded after decap-cms.js and before Decap starts:
// the Vietnamese locale is registered again as Decap's own phrases with these added.
(function () {
  "use strict";
  var ours = {
    auth: { loginWithAzure: "Đăng nhập bằng Azure", loginWithForgejo: "Đăng nhập bằng Forgejo" },
    collection: {
      collectionTop: { viewAsList: "Xem dạng danh sách", viewAsGrid: "Xem dạng lưới", groupBy: "Nhóm theo" },
      entries: { unpublishedHeader: "Bài chưa đăng" },
      groups: { other: "Khác", negateLabel: "Không %{label}" }
    },
    editor: {
      editorControl: { field: { widgetLabel: "Ô %{widgetLabel}" } },
      editorControlPane: {
        i18n: {
          writingInLocale: "Đang viết bằng %{locale}",
          copyFromLocale: "Điền từ ngôn ngữ khác",
          copyFromLocaleConfirm: "Điền nội dung từ %{locale}? Mọi nội dung đang có sẽ bị ghi đè."
        }
      },
      editorInterface: {
        toggleI18n: "Bật/tắt đa ngôn ngữ",
        togglePreview: "Hiện/ẩn bản xem trước",
        toggleScrollSync: "Cuộn cùng lúc",
        toggleNotes: "Hiện/ẩn ghi chú"
      },
      editorNotesPane: {
        title: "Ghi chú",
        emptyState: "Chưa có ghi chú nào.",
        addNote: "Thêm ghi chú",
        addPlaceholder: "Thêm một ghi chú…",
        editPlaceholder: "Sửa ghi chú…",
        save: "Lưu",
        cancel: "Hủy",
        edit: "Sửa",
        delete: "Xóa",
        resolve: "Đã xử lý",
        unresolve: "Chưa xử lý",
        confirmDelete: "Bạn có chắc muốn xóa ghi chú này?",
        shortcut: "Mẹo: nhấn Ctrl+Enter để thêm ghi chú nhanh"
      },
      editorToolbar: {
        statusInfoTooltipDraft: "Bài đang là bản nháp.",
        statusInfoTooltipInReview: "Bài đang chờ duyệt; bạn vẫn sửa được trong lúc chờ."
      },
      editorWidgets: {
        markdown: {
          bold: "Chữ đậm",
          italic: "Chữ nghiêng",
          strikethrough: "Gạch ngang",
          code: "Mã",
          link: "Liên kết",
          linkPrompt: "Nhập địa chỉ của liên kết",
          headings: "Tiêu đề mục",
          quote: "Trích dẫn",
          bulletedList: "Danh sách gạch đầu dòng",
          numberedList: "Danh sách đánh số",
          addComponent: "Chèn thành phần",
          toggleMode: { rich: "Chuyển sang văn bản định dạng", markdown: "Chuyển sang Markdown" }
        },
        image: {
          chooseMultiple: "Chọn ảnh",
          chooseUrl: "Chèn từ địa chỉ",
          replaceUrl: "Thay bằng địa chỉ",
          promptUrl: "Nhập địa chỉ của ảnh",
          addMore: "Thêm ảnh",
          removeAll: "Gỡ mọi ảnh"
        },
        file: {
          chooseUrl: "Chèn từ địa chỉ",
          chooseMultiple: "Chọn tệp",
          replaceUrl: "Thay bằng địa chỉ",
          promptUrl: "Nhập địa chỉ của tệp",
          addMore: "Thêm tệp",
          removeAll: "Gỡ mọi tệp"
        },
        datetime: { setToNow: "Đặt %{fieldLabel} là lúc này" },
        list: { add: "Thêm %{item}", addType: "Thêm %{item}" },
        object: { expand: "Mở rộng", collapse: "Thu gọn" }
      }
    },
    mediaLibrary: {
      mediaLibraryCard: {
        copy: "Chép",
        copyUrl: "Chép địa chỉ",
        copyPath: "Chép đường dẫn",
        copyName: "Chép tên",
        copied: "Đã chép"
      },
      mediaLibraryModal: { close: "Đóng" }
    },
    ui: {
      settingsDropdown: { account: "Tài khoản" },
      toast: {
        noteAdded: "Đã thêm ghi chú",
        onFailToAddNote: "Không thêm được ghi chú: %{details}",
        noteUpdated: "Đã sửa ghi chú",
        onFailToUpdateNote: "Không sửa được ghi chú: %{details}",
        noteDeleted: "Đã xóa ghi chú",
        onFailToDeleteNote: "Không xóa được ghi chú: %{details}",
        noteResolved: "Ghi chú đã xử lý",
        noteReopened: "Ghi chú mở lại",
        onFailToToggleNote: "Không đổi được trạng thái ghi chú: %{details}"
      }
    }
  };

  function merged(base, extra) {
    var out = {};
    var key;
    for (key in base) { out[key] = base[key]; }
    for (key in extra) {
      var both = out[key] && typeof out[key] === "object" && typeof extra[key] === "object";
      out[key] = both ? merged(out[key], extra[key]) : (key in out ? out[key] : extra[key]);
    }
    return out;
  }

  window.CMS.registerLocale("vi", merged(window.CMS.getLocale("vi") || {}, ours));
})();
