package stix

import (
	"strings"
	"time"

	"github.com/google/uuid"
)

// Namespace is the UUIDv5 namespace of every id this package makes: UUIDv5 of
// "https://github.com/incidentgraph/incidentgraph/stix" in the URL namespace (TestNamespace
// derives it again). STIX 2.1 lets producers use UUIDv5 in a namespace of their own, and forbids
// only the namespace reserved for cyber observables.
var Namespace = uuid.MustParse("041038fd-628e-5937-abcf-cf7f834db6d8")

// NamespaceURL is what Namespace is derived from.
const NamespaceURL = "https://github.com/incidentgraph/incidentgraph/stix"

// Epoch is every object's created timestamp: the graph stores no creation times, and a clock
// would make two exports of the same graph differ. 1970-01-01 reads as "no date" everywhere.
var Epoch = time.Date(1970, 1, 1, 0, 0, 0, 0, time.UTC)

// SpecVersion is the STIX version of every object.
const SpecVersion = "2.1"

// ID is the STIX id of an object of type typ made from name: our id, or a derived name.
func ID(typ, name string) string {
	return typ + "--" + uuid.NewSHA1(Namespace, []byte(name)).String()
}

// timestamp writes t as STIX does: UTC, milliseconds.
func timestamp(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z") }

// modified is Epoch plus one second per write after the first; version 0 (unknown) is 1.
func modified(version int) string {
	if version < 1 {
		version = 1
	}
	return timestamp(Epoch.Add(time.Duration(version-1) * time.Second))
}

// dayStart and dayEnd are the first and last instants of a YYYY-MM-DD day ("" stays "").
func dayStart(day string) string {
	if day == "" {
		return ""
	}
	return day + "T00:00:00.000Z"
}

func dayEnd(day string) string {
	if day == "" {
		return ""
	}
	return day + "T23:59:59.999Z"
}

// slug turns a name into open-vocabulary form ("West Africa" → "west-africa").
func slug(s string) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(s) {
		if (r >= 'a' && r <= 'z') || (r >= '0' && r <= '9') {
			b.WriteRune(r)
			dash = false
		} else if !dash && b.Len() > 0 {
			b.WriteByte('-')
			dash = true
		}
	}
	return strings.TrimSuffix(b.String(), "-")
}
