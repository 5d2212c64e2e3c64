package store

import (
	"fmt"
	"iter"
	"maps"
)

func sprintf(format string, a ...any) string { return fmt.Sprintf(format, a...) }

func mapsKeys[K comparable, V any](m map[K]V) iter.Seq[K] { return maps.Keys(m) }

func mapsEqual(a, b map[string]string) bool { return maps.Equal(a, b) }
