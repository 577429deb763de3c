// Package machine describes the machine a benchmark ran on, for the reports of bench/compare
// and bench/reliability: the CPU model and the memory, from /proc (empty where /proc has none).
package machine

import (
	"fmt"
	"os"
	"strings"
)

// Describe returns the CPU's model name and the total memory (e.g. "23.5 GiB").
func Describe() (model, memory string) {
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for _, line := range strings.Split(string(b), "\n") {
			if k, v, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == "model name" {
				model = strings.TrimSpace(v)
				break
			}
		}
	}
	if b, err := os.ReadFile("/proc/meminfo"); err == nil {
		for _, line := range strings.Split(string(b), "\n") {
			if rest, ok := strings.CutPrefix(line, "MemTotal:"); ok {
				var kb int64
				fmt.Sscanf(strings.TrimSpace(rest), "%d", &kb)
				memory = fmt.Sprintf("%.1f GiB", float64(kb)/(1<<20))
			}
		}
	}
	return model, memory
}
