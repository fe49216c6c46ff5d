//go:build !race

package panel_test

const raceDetector = false
