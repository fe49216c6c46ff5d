// Command plot draws docs/performance-place.png from the JSON lines bench/run.sh collects
// (loadgen -json): accepted throughput and p99 latency against the offered rate.
//
//	go run ./bench/plot -in bench/out/place.jsonl -out docs/performance-place.png
package main

import (
	"bufio"
	"encoding/json"
	"flag"
	"log"
	"os"
	"sort"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/plotutil"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
)

type point struct {
	Scenario   string  `json:"scenario"`
	Rate       int     `json:"offeredRate"`
	Throughput float64 `json:"throughput"`
	P99ms      float64 `json:"p99ms"`
}

func main() {
	in := flag.String("in", "bench/out/place.jsonl", "loadgen -json lines")
	out := flag.String("out", "docs/performance-place.png", "PNG to write")
	title := flag.String("title", "placeOrder, SQLite, 2 cores (load generator on the same cores)", "title")
	flag.Parse()
	f, err := os.Open(*in)
	if err != nil {
		log.Fatal(err)
	}
	var pts []point
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		var p point
		if json.Unmarshal(sc.Bytes(), &p) == nil && p.Rate > 0 {
			pts = append(pts, p)
		}
	}
	if len(pts) == 0 {
		log.Fatal("no constant-rate points in ", *in)
	}
	sort.Slice(pts, func(i, j int) bool { return pts[i].Rate < pts[j].Rate })
	served, offered, p99 := make(plotter.XYs, len(pts)), make(plotter.XYs, len(pts)), make(plotter.XYs, len(pts))
	for i, p := range pts {
		served[i] = plotter.XY{X: float64(p.Rate), Y: p.Throughput}
		offered[i] = plotter.XY{X: float64(p.Rate), Y: float64(p.Rate)}
		p99[i] = plotter.XY{X: float64(p.Rate), Y: p.P99ms}
	}
	top := plot.New()
	top.Title.Text = *title
	top.Y.Label.Text = "accepted orders/s"
	if err := plotutil.AddLinePoints(top, "accepted", served, "offered", offered); err != nil {
		log.Fatal(err)
	}
	bottom := plot.New()
	bottom.X.Label.Text = "offered orders/s"
	bottom.Y.Label.Text = "p99 latency (ms)"
	if err := plotutil.AddLinePoints(bottom, "p99", p99); err != nil {
		log.Fatal(err)
	}
	img := vgimg.New(8*vg.Inch, 7*vg.Inch)
	dc := draw.New(img)
	tiles := draw.Tiles{Rows: 2, Cols: 1, PadY: vg.Millimeter * 4, PadX: vg.Millimeter * 2, PadTop: vg.Millimeter * 2, PadBottom: vg.Millimeter * 2}
	canvases := plot.Align([][]*plot.Plot{{top}, {bottom}}, tiles, dc)
	top.Draw(canvases[0][0])
	bottom.Draw(canvases[1][0])
	w, err := os.Create(*out)
	if err != nil {
		log.Fatal(err)
	}
	defer w.Close()
	if _, err := (vgimg.PngCanvas{Canvas: img}).WriteTo(w); err != nil {
		log.Fatal(err)
	}
}
