package store

import (
	"cxone-auth/store/export"
)

// The export encoders and the table of formats are store/export; these names forward to it.

// ExportValues are the values an export writes (export.Values).
type ExportValues = export.Values

// Format is one export format (export.Format).
type Format = export.Format

// Formats are the export formats, in the order help, completion and menus list them: the
// table export.Formats.
var Formats = export.Formats

// FormatNames are the names of Formats, in order.
func FormatNames() []string { return export.FormatNames() }

// FormatNamed returns the format called name.
func FormatNamed(name string) (Format, bool) { return export.FormatNamed(name) }
