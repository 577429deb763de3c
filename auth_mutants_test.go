package incidentgraph_test

import (
	"context"
	"testing"

	"github.com/incidentgraph/incidentgraph"
)

// TestRolesAreOrdered: each role may do what the roles below it may and nothing above; a role
// that is not one of Roles may do nothing, not even a reader's work.
func TestRolesAreOrdered(t *testing.T) {
	roles := incidentgraph.Roles
	for i, r := range roles {
		if !r.Valid() {
			t.Errorf("%s is not valid", r)
		}
		for j, min := range roles {
			if got, want := r.AtLeast(min), i >= j; got != want {
				t.Errorf("%s.AtLeast(%s) = %v, want %v", r, min, got, want)
			}
		}
	}
	for _, r := range []incidentgraph.Role{"", "root", "Admin"} {
		if r.Valid() {
			t.Errorf("%q is valid", r)
		}
		if r.AtLeast(incidentgraph.RoleReader) {
			t.Errorf("%q may do a reader's work", r)
		}
	}
}

// TestRequire: a caller with the role or above passes; below it, an anonymous caller is told to
// authenticate and a known one that its role is too low; no authentication at all is refused.
func TestRequire(t *testing.T) {
	ctx := context.Background()
	with := func(id *incidentgraph.Identity) context.Context { return incidentgraph.WithIdentity(ctx, id) }
	for _, tc := range []struct {
		ctx  context.Context
		min  incidentgraph.Role
		code string
	}{
		{with(&incidentgraph.Identity{Name: "a", Role: incidentgraph.RoleAnalyst}), incidentgraph.RoleAnalyst, ""},
		{with(&incidentgraph.Identity{Name: "a", Role: incidentgraph.RoleAdmin}), incidentgraph.RoleCurator, ""},
		{with(&incidentgraph.Identity{Name: "a", Role: incidentgraph.RoleReader}), incidentgraph.RoleAnalyst, incidentgraph.EFORBIDDEN},
		{with(&incidentgraph.Identity{Role: incidentgraph.RoleReader, Anonymous: true}), incidentgraph.RoleReader, ""},
		{with(&incidentgraph.Identity{Role: incidentgraph.RoleReader, Anonymous: true}), incidentgraph.RoleAnalyst, incidentgraph.EUNAUTHENTICATED},
		{ctx, incidentgraph.RoleReader, incidentgraph.EUNAUTHENTICATED},
	} {
		err := incidentgraph.Require(tc.ctx, tc.min)
		if got := incidentgraph.ErrorCode(err); (err == nil) != (tc.code == "") || err != nil && got != tc.code {
			t.Errorf("Require(%+v, %s) = %v (%s), want code %q", incidentgraph.IdentityFrom(tc.ctx), tc.min, err, got, tc.code)
		}
	}
}
