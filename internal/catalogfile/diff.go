package catalogfile

import "strings"

// lineDiff compares two texts line by line (longest common subsequence) and returns every line
// marked "- " (only in a), "+ " (only in b) or "  " (in both), with runs of more than three
// unchanged lines collapsed.
func lineDiff(a, b string) []string {
	x, y := splitLines(a), splitLines(b)
	// lcs[i][j] is the length of the longest common subsequence of x[i:] and y[j:].
	lcs := make([][]int, len(x)+1)
	for i := range lcs {
		lcs[i] = make([]int, len(y)+1)
	}
	for i := len(x) - 1; i >= 0; i-- {
		for j := len(y) - 1; j >= 0; j-- {
			if x[i] == y[j] {
				lcs[i][j] = lcs[i+1][j+1] + 1
			} else {
				lcs[i][j] = max(lcs[i+1][j], lcs[i][j+1])
			}
		}
	}
	var out, same []string
	flush := func() {
		if len(same) > 3 && len(out) > 0 {
			out = append(out, "  "+same[0], "  …", "  "+same[len(same)-1])
		} else if len(same) > 3 {
			out = append(out, "  …", "  "+same[len(same)-1])
		} else {
			for _, l := range same {
				out = append(out, "  "+l)
			}
		}
		same = nil
	}
	i, j := 0, 0
	for i < len(x) || j < len(y) {
		switch {
		case i < len(x) && j < len(y) && x[i] == y[j]:
			same = append(same, x[i])
			i, j = i+1, j+1
		case i < len(x) && (j == len(y) || lcs[i+1][j] >= lcs[i][j+1]):
			flush()
			out = append(out, "- "+x[i])
			i++
		default:
			flush()
			out = append(out, "+ "+y[j])
			j++
		}
	}
	if len(same) > 0 && len(out) == 0 {
		return nil
	}
	if len(same) > 0 {
		out = append(out, "  "+same[0])
		if len(same) > 1 {
			out = append(out, "  …")
		}
	}
	return out
}

func splitLines(s string) []string {
	s = strings.TrimRight(s, "\n")
	if s == "" {
		return nil
	}
	return strings.Split(s, "\n")
}
