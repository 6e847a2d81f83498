# The many-destinations plot of make bench (tests/bench/run):
# gnuplot -e "dat='scale.dat'; svg='scale.svg'" scale.gp
# dat: "destinations in-tree ours" per line (median packets/s).
set terminal svg size 640,400 dynamic font "sans,12" background rgb 'white'
set output svg
set title "64-byte UDP to N destinations (softib, instruction-counted)"
set xlabel "destinations"
set ylabel "packets/s"
set logscale x
set xrange [0.7:15000]
set yrange [0:*]
set key bottom left
set grid
plot dat using 1:2 with linespoints lw 2 pt 7 title "in-tree", \
     dat using 1:3 with linespoints lw 2 pt 5 title "ours"
