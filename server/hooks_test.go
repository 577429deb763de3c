package server

// The server's test hooks (Config.hooks) for the tests outside the package: each returns cfg
// with one safeguard taken out, for a negative control.

// WithBreakerClosingBeforeWarmUpForTest: the breaker closes before it warms Neo4j's plan cache.
func WithBreakerClosingBeforeWarmUpForTest(cfg Config) Config {
	cfg.hooks.closeBeforeWarmUp = true
	return cfg
}

// WithoutCompiledReadsForTest: root fields' selections are not read ahead; every field asks
// the store for itself.
func WithoutCompiledReadsForTest(cfg Config) Config {
	cfg.hooks.noCompiledReads = true
	return cfg
}

// WithGqlgenAnswersForTest: executed answers are written by gqlgen's transports, whose
// json.Marshal re-compacts (and HTML-escapes) data.
func WithGqlgenAnswersForTest(cfg Config) Config {
	cfg.hooks.gqlgenAnswers = true
	return cfg
}

// WithCentralitiesHeldForTest: every turn to compute centrality is taken, so that a centrality
// question waits until its request ends.
func WithCentralitiesHeldForTest(cfg Config) Config {
	cfg.hooks.holdCentralities = true
	return cfg
}
