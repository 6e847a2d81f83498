# The benchmarks' summary tables (tests/bench/bench.sh, bench2.sh, scale.sh), from
# "DRIVER ROUND METRIC VALUE" lines in the file $DATA.
#
# The summary. table SPEC prints rows that each compare two columns,
# column A (DRIVER_A's METRIC_A) and column B, over the rounds. SPEC holds
# ";"-separated items: "=HEAD_A|HEAD_B|SPREAD_A|SPREAD_B" starts a table
# with those column heads; "LABEL|DRIVER_A|METRIC_A|DRIVER_B|METRIC_B|LOWER" is a row, LOWER
# 1 where lower is better. For each row: the median of each column over
# the rounds; the ratio of the medians, oriented so that >= 1.00 means B
# is better (B/A, but A/B where lower is better); the median of the
# per-round ratios (each round's two runs are back to back, so this
# cancels slow changes of the host's speed); and the spread
# (max - min) / median of each column, as the noise indication.
table() {
	awk -v spec="$1" '
# Median of a[1..n] (sorted in place); also sets LO and HI.
function median(a, n,    i, j, t) {
	if (n == 0) return ""
	for (i = 2; i <= n; i++) {
		t = a[i]
		for (j = i - 1; j >= 1 && a[j] > t; j--) a[j + 1] = a[j]
		a[j + 1] = t
	}
	LO = a[1]; HI = a[n]
	return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
}
# Median of a column (driver d, metric m); sets N and SPREAD.
function column(d, m,    a, r, med) {
	N = 0
	for (r = 1; r <= maxr; r++)
		if ((d SUBSEP m SUBSEP r) in val) a[++N] = val[d, m, r]
	med = median(a, N)
	SPREAD = "-"
	if (N >= 2 && med > 0) SPREAD = sprintf("%.0f%%", 100 * (HI - LO) / med)
	else if (N >= 2 && HI == LO) SPREAD = "0%"
	return med
}
function ratio(lower, a, b) {
	if (a == "" || b == "") return ""
	if (lower) return b > 0 ? a / b : ""
	return a > 0 ? b / a : ""
}
function paired(da, ma, db, mb, lower,    x, n, r, q) {
	n = 0
	for (r = 1; r <= maxr; r++) {
		if (!((da SUBSEP ma SUBSEP r) in val) || !((db SUBSEP mb SUBSEP r) in val)) continue
		q = ratio(lower, val[da, ma, r], val[db, mb, r])
		if (q != "") x[++n] = q
	}
	return median(x, n)
}
function num(v) { return v == "" ? "-" : (v >= 100 ? sprintf("%.0f", v) : sprintf("%.2f", v)) }
function rat(v) { return v == "" ? "-" : sprintf("%.2f", v) }
{ val[$1, $3, $2] = $4 + 0; if ($2 > maxr) maxr = $2 }
END {
	nr = split(spec, rows, ";")
	for (i = 1; i <= nr; i++) {
		if (rows[i] == "") continue
		split(rows[i], f, "|")
		if (substr(f[1], 1, 1) == "=") {
			printf "%-27s %9s %14s %6s %7s %10s %12s %4s\n", "metric", substr(f[1], 2), f[2],
				"ratio", "paired", "spread:" f[3], "spread:" f[4], "n"
			continue
		}
		a = column(f[2], f[3]); na = N; sa = SPREAD
		b = column(f[4], f[5]); nb = N; sb = SPREAD
		printf "%-27s %9s %14s %6s %7s %10s %12s %d/%d\n", f[1], num(a), num(b),
			rat(ratio(f[6], a, b)), rat(paired(f[2], f[3], f[4], f[5], f[6])), sa, sb, na, nb
	}
}' $DATA
}
