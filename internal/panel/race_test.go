//go:build race

package panel_test

// raceDetector: the race detector slows code many times over, so render-time budgets are not
// enforced under it.
const raceDetector = true
