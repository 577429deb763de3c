// Package analysis holds graph algorithms that run on a subgraph already fetched, never on the
// database: the store bounds what is fetched, and these functions only rank what it returned.
package analysis
