// Package stats measures the statistics of the node it runs on: CPU (total
// and per core), memory and network per interface of the host, and CPU and
// memory of each supervised process with all its descendants, over each of
// the configured periods, keeping a bounded history.
//
// Each node measures only itself; the supvisors namespace asks the node
// concerned for its figures over XML-RPC, so nothing of this travels by
// gossip. The latest samples are handed to whoever registered with
// Collector.OnSample (the hstats and pstats event topics).
package stats
