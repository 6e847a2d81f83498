# The stack-ceiling plot of make bench (tests/bench/run):
# gnuplot -e "dat='ceiling.dat'; svg='ceiling.svg'" ceiling.gp
# dat: "metric in-tree-share ours-share" per line, each driver's share of
# what veth gives in the same VM (1.0 = the stack's own ceiling).
set terminal svg size 720,400 dynamic font "sans,12" background rgb 'white'
set output svg
set title "Share of the stack's ceiling (veth in the same VM = 1.0)"
set ylabel "driver / veth (rtts: veth / driver)"
set yrange [0:1.3]
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.8 border -1
set boxwidth 0.9
set key top center horizontal
set grid ytics
set xtics nomirror
plot dat using 2:xtic(1) title "in-tree", \
     dat using 3 title "ours", \
     1 with lines lw 2 dt 2 lc rgb "black" title "veth"
