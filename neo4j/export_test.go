package neo4j

// SetCurationFault makes every curation write call f after its change and before its audit
// entry (nil: no fault). Tests use it to fail a write half-way; it returns the reset.
func SetCurationFault(f func(op string, versionInTx func(id string) (int, error)) error) func() {
	faultHook = f
	return func() { faultHook = nil }
}
