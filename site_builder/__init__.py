"""site_builder: static sites for the bulletins of Vietnam's Fatherland Front bloc offices."""
