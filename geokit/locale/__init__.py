"""gettext catalogs: one folder per language, each LC_MESSAGES/geokit.po (see geokit.i18n)."""
