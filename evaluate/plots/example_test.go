package plots_test

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/mlpipe/mlpipe/evaluate"
	"github.com/mlpipe/mlpipe/evaluate/plots"
)

func Example() {
	dir, err := os.MkdirTemp("", "plots")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer os.RemoveAll(dir)

	y := []float64{0, 0, 1, 1, 0, 1, 0, 1}
	score := []float64{0.1, 0.4, 0.35, 0.8, 0.2, 0.9, 0.6, 0.7}
	roc, err := plots.ROC("ROC", plots.Scores{Name: "model", YTrue: y, Score: score})
	if err != nil {
		fmt.Println(err)
		return
	}
	pred := []float64{0, 0, 0, 1, 0, 1, 1, 1}
	cm, _ := evaluate.ConfusionMatrix(y, pred)
	heat, err := plots.Confusion("Confusion matrix", cm, []string{"stays", "churns"})
	if err != nil {
		fmt.Println(err)
		return
	}
	if err := plots.Save(roc, filepath.Join(dir, "roc.png"), 5, 4); err != nil {
		fmt.Println(err)
	}
	if err := plots.Save(heat, filepath.Join(dir, "confusion.svg"), 0, 0); err != nil {
		fmt.Println(err)
	}
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		fmt.Println(e.Name())
	}
	// Output:
	// confusion.svg
	// roc.png
}
