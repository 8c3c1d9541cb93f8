// Package jsonedit makes well-formed edits of decoded JSON documents, for
// fuzz targets: byte-level mutation rarely keeps a saved artifact valid JSON,
// so the targets pick a node by number and replace it instead, reaching the
// validation of the values themselves (lengths, counts, shapes).
package jsonedit

import "sort"

// Nodes returns how many nodes v holds: itself, and every member and
// element below it.
func Nodes(v any) int {
	n := 1
	switch x := v.(type) {
	case map[string]any:
		for _, c := range x {
			n += Nodes(c)
		}
	case []any:
		for _, c := range x {
			n += Nodes(c)
		}
	}
	return n
}

// Replace walks v depth first, object keys in sorted order, and replaces
// its k-th node (from 0) with the value op returns for it. Objects and
// arrays are edited in place; the result is the possibly new root. k past
// the last node changes nothing.
func Replace(v any, k int, op func(any) any) any {
	return replace(v, &k, op)
}

func replace(v any, k *int, op func(any) any) any {
	if *k < 0 {
		return v
	}
	if *k == 0 {
		*k = -1
		return op(v)
	}
	*k--
	switch x := v.(type) {
	case map[string]any:
		keys := make([]string, 0, len(x))
		for key := range x {
			keys = append(keys, key)
		}
		sort.Strings(keys)
		for _, key := range keys {
			x[key] = replace(x[key], k, op)
		}
	case []any:
		for i := range x {
			x[i] = replace(x[i], k, op)
		}
	}
	return v
}

// Edit returns a replacement for v chosen by kind: the number num, the
// string s, null, an empty array, v shortened by its last element (an array)
// or num, v lengthened by num (an array) or an empty object.
func Edit(v any, kind uint8, num float64, s string) any {
	switch kind % 6 {
	case 0:
		return num
	case 1:
		return s
	case 2:
		return nil
	case 3:
		return []any{}
	case 4:
		if a, ok := v.([]any); ok && len(a) > 0 {
			return a[:len(a)-1]
		}
		return num
	default:
		if a, ok := v.([]any); ok {
			return append(a, num)
		}
		return map[string]any{}
	}
}
