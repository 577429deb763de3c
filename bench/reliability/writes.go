package main

import (
	"context"
	"fmt"
	"sort"
	"sync"
	"time"
)

// A writer is a curator with a token of its own (the per-token rate limit is per curator) that
// writes only objects of its own, so that every version it expects is known: it creates an
// entity, adds three assertions from it, corrects each, retracts one and corrects the entity;
// then starts over with a new entity. Every mutation carries an idempotency key, and a write
// whose outcome is unknown (no answer, a timeout, a 503) is sent again with the same key, as a
// careful client does, until it is answered: the first answer must come back, never a CONFLICT
// or a second write.

const (
	mCreateEntity = `mutation($in: CreateEntityInput!, $k: String) { createEntity(input: $in, idempotencyKey: $k) { id version } }`
	mUpdateEntity = `mutation($id: ID!, $v: Int!, $in: UpdateEntityInput!, $k: String) { updateEntity(id: $id, version: $v, input: $in, idempotencyKey: $k) { id version } }`
	mAddRel       = `mutation($in: AddRelationshipInput!, $k: String) { addRelationship(input: $in, idempotencyKey: $k) { id version } }`
	mUpdateRel    = `mutation($id: ID!, $v: Int!, $in: UpdateRelationshipInput!, $k: String) { updateRelationship(id: $id, version: $v, input: $in, idempotencyKey: $k) { id version } }`
	mRetractRel   = `mutation($id: ID!, $v: Int!, $r: String!, $k: String) { retractRelationship(id: $id, version: $v, reason: $r, idempotencyKey: $k) { id version retraction { at } } }`
	qVerify       = `query($id: ID!) { entity(id: $id) { id version relationships(filter: {includeRetracted: true}, first: 500) { id version retraction { at } } } }`
	source        = "ap-2024-03-23-moscow-attack-explainer"
)

var relTargets = []string{"islamic-state", "taliban", "al-qaida"}

// write is one mutation, ready to be sent again with the same key.
type write struct {
	Kind, Query string
	Vars        map[string]any
	Token       string
	// Object and Version: what the graph must hold once it is acknowledged.
	Object    string
	Version   int
	Retracted bool
	Entity    string // the entity whose relationships hold the object (itself for an entity)
}

// ledger is what the service acknowledged: the state every object must have afterwards.
type ledger struct {
	mu       sync.Mutex
	entities map[string]*objectState
	rels     map[string]*objectState
	pending  []write // sent, never answered for sure
	acked    int
	retries  int
	resolved int // writes answered only on a retry with the same key
	wrong    []string
}

type objectState struct {
	Entity    string
	Version   int
	Retracted bool
}

func newLedger() *ledger {
	return &ledger{entities: map[string]*objectState{}, rels: map[string]*objectState{}}
}

// ack records an acknowledged write and checks its answer: the version it was to give.
func (l *ledger) ack(w write, o outcome, retried bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.acked++
	if retried {
		l.resolved++
	}
	root, _ := o.Data[w.Kind].(map[string]any)
	got, _ := root["version"].(float64)
	if int(got) != w.Version {
		l.wrong = append(l.wrong, fmt.Sprintf("%s %s answered version %v, want %d", w.Kind, w.Object, root["version"], w.Version))
	}
	st := &objectState{Entity: w.Entity, Version: w.Version, Retracted: w.Retracted}
	if w.Kind == "createEntity" || w.Kind == "updateEntity" {
		l.entities[w.Object] = st
	} else {
		l.rels[w.Object] = st
	}
}

// writer runs one curator's cycle until stop closes; each write is retried with its key until
// answered or giveUp closes (then it is left pending, in doubt).
type writer struct {
	c             *client
	rec           interface{ add(outcome) }
	led           *ledger
	token, prefix string
	backoff       time.Duration
	violate       func(string)
}

// send delivers one write: true once acknowledged.
func (wr *writer) send(ctx context.Context, giveUp <-chan struct{}, w write) bool {
	retried := false
	for {
		o := wr.c.do(ctx, w.Kind, w.Token, w.Query, w.Vars)
		wr.rec.add(o)
		if v := o.violation(); v != "" {
			wr.violate(w.Kind + ": " + v)
		}
		switch {
		case o.Code == codeOK:
			wr.led.ack(w, o, retried)
			return true
		case o.Code == classClient:
			wr.led.addPending(w)
			return false
		case !o.retryable():
			// A refusal of a write that the harness knows to be valid and current: a CONFLICT on a
			// retry means the first attempt was written and the retry was not recognised.
			wr.violate(fmt.Sprintf("%s %s refused: %s %s", w.Kind, w.Object, o.label(), o.Message))
			return false
		}
		select {
		case <-giveUp:
			wr.led.addPending(w)
			return false
		case <-time.After(wr.backoff):
		}
		retried = true
		wr.led.mu.Lock()
		wr.led.retries++
		wr.led.mu.Unlock()
	}
}

func (l *ledger) addPending(w write) {
	l.mu.Lock()
	l.pending = append(l.pending, w)
	l.mu.Unlock()
}

// run writes cycles until stop closes (a cycle in progress is finished, unless giveUp closes).
func (wr *writer) run(ctx context.Context, stop, giveUp <-chan struct{}) {
	for n := 0; ; n++ {
		select {
		case <-stop:
			return
		default:
		}
		ent := fmt.Sprintf("%s-%d", wr.prefix, n)
		key := func(op string) string { return ent + "-" + op }
		ws := []write{{Kind: "createEntity", Query: mCreateEntity, Object: ent, Version: 1, Entity: ent,
			Vars: map[string]any{"k": key("create"), "in": map[string]any{"id": ent, "kind": "ORGANIZATION",
				"orgType": "MILITANT_GROUP", "name": "Reliability group " + ent, "description": "Written by the reliability harness."}}}}
		for i, to := range relTargets {
			rel := fmt.Sprintf("%s--r%d", ent, i)
			ws = append(ws, write{Kind: "addRelationship", Query: mAddRel, Object: rel, Version: 1, Entity: ent,
				Vars: map[string]any{"k": key(fmt.Sprintf("add%d", i)), "in": map[string]any{"id": rel, "from": ent,
					"type": "ALLIED_WITH", "to": to, "status": "ALLEGED", "confidence": 20, "assertedBy": "russia",
					"sources": []string{source}}}})
		}
		for i := range relTargets {
			rel := fmt.Sprintf("%s--r%d", ent, i)
			ws = append(ws, write{Kind: "updateRelationship", Query: mUpdateRel, Object: rel, Version: 2, Entity: ent,
				Vars: map[string]any{"k": key(fmt.Sprintf("upd%d", i)), "id": rel, "v": 1,
					"in": map[string]any{"confidence": 35, "note": "corrected by the reliability harness"}}})
		}
		rel := ent + "--r0"
		ws = append(ws,
			write{Kind: "retractRelationship", Query: mRetractRel, Object: rel, Version: 3, Retracted: true, Entity: ent,
				Vars: map[string]any{"k": key("retract"), "id": rel, "v": 2, "r": "withdrawn by the reliability harness"}},
			write{Kind: "updateEntity", Query: mUpdateEntity, Object: ent, Version: 2, Entity: ent,
				Vars: map[string]any{"k": key("updent"), "id": ent, "v": 1, "in": map[string]any{"description": "Corrected by the reliability harness."}}})
		for _, w := range ws {
			w.Token = wr.token
			if !wr.send(ctx, giveUp, w) {
				return // what follows depends on this write
			}
		}
	}
}

// resolvePending sends every write left in doubt again with its key (after a restart, say):
// each must be answered with its first answer or written now, never refused.
func (l *ledger) resolvePending(ctx context.Context, c *client, violate func(string)) (resolved, left int) {
	l.mu.Lock()
	pending := l.pending
	l.pending = nil
	l.mu.Unlock()
	for _, w := range pending {
		ok := false
		for attempt := 0; attempt < 50 && ctx.Err() == nil; attempt++ {
			o := c.do(ctx, w.Kind, w.Token, w.Query, w.Vars)
			if o.Code == codeOK {
				l.ack(w, o, true)
				ok = true
				break
			}
			if !o.retryable() {
				violate(fmt.Sprintf("%s %s, in doubt, refused on its retry with the same key: %s %s", w.Kind, w.Object, o.label(), o.Message))
				break
			}
			time.Sleep(200 * time.Millisecond)
		}
		if ok {
			resolved++
		} else {
			left++
			l.addPending(w)
		}
	}
	return resolved, left
}

// verification is what reading the graph back through the API found.
type verification struct {
	Entities, Relationships int
	Missing                 []string // acknowledged, not found or at another version
	ControlCaught           int      // planted discrepancies the check found (must be all)
	ControlPlanted          int
}

// verify reads every entity the ledger holds back through the API and checks every
// acknowledged object is there at its acknowledged version (retracted where it was retracted).
// Its negative control plants discrepancies (a version one too high, an object never written)
// and requires the same check to find each.
func (l *ledger) verify(ctx context.Context, c *client, token string) (verification, error) {
	l.mu.Lock()
	ents := map[string]objectState{}
	for id, s := range l.entities {
		ents[id] = *s
	}
	rels := map[string]objectState{}
	for id, s := range l.rels {
		rels[id] = *s
	}
	l.mu.Unlock()
	v := verification{Entities: len(ents), Relationships: len(rels)}

	// What the graph holds, entity by entity, in the order written.
	type found struct {
		version   int
		retracted bool
	}
	gotEnt := map[string]found{}
	gotRel := map[string]found{}
	ids := make([]string, 0, len(ents))
	for id := range ents {
		ids = append(ids, id)
	}
	for _, s := range rels {
		if _, ok := ents[s.Entity]; !ok {
			ents[s.Entity] = objectState{Version: -1} // a relationship of an entity never acknowledged
			ids = append(ids, s.Entity)
		}
	}
	sort.Strings(ids)
	for _, id := range ids {
		var o outcome
		for attempt := 0; attempt < 20; attempt++ {
			o = c.do(ctx, "verify", token, qVerify, map[string]any{"id": id})
			if o.Code == codeOK || !o.retryable() {
				break
			}
			time.Sleep(200 * time.Millisecond)
		}
		if o.Code != codeOK {
			return v, fmt.Errorf("reading %s back: %s %s", id, o.label(), o.Message)
		}
		e, _ := o.Data["entity"].(map[string]any)
		if e == nil {
			continue
		}
		ver, _ := e["version"].(float64)
		gotEnt[id] = found{version: int(ver)}
		rs, _ := e["relationships"].([]any)
		for _, r := range rs {
			m, _ := r.(map[string]any)
			rid, _ := m["id"].(string)
			rv, _ := m["version"].(float64)
			gotRel[rid] = found{version: int(rv), retracted: m["retraction"] != nil}
		}
	}
	check := func(kind, id string, want objectState, got map[string]found) bool {
		g, ok := got[id]
		switch {
		case !ok:
			v.Missing = append(v.Missing, fmt.Sprintf("%s %s (version %d) not found", kind, id, want.Version))
		case g.version != want.Version:
			v.Missing = append(v.Missing, fmt.Sprintf("%s %s at version %d, acknowledged %d", kind, id, g.version, want.Version))
		case g.retracted != want.Retracted:
			v.Missing = append(v.Missing, fmt.Sprintf("%s %s retracted=%v, acknowledged retracted=%v", kind, id, g.retracted, want.Retracted))
		default:
			return true
		}
		return false
	}
	for id, s := range ents {
		if s.Version > 0 {
			check("entity", id, s, gotEnt)
		}
	}
	for id, s := range rels {
		check("relationship", id, s, gotRel)
	}
	sort.Strings(v.Missing)

	// Negative control: the same check on planted discrepancies, against what was read.
	saved := v.Missing
	v.Missing = nil
	if len(rels) > 0 {
		for id, s := range rels {
			s.Version++
			v.ControlPlanted++
			if !check("relationship", id, s, gotRel) {
				v.ControlCaught++
			}
			break
		}
	}
	v.ControlPlanted++
	if !check("relationship", "never-written--control", objectState{Version: 1}, gotRel) {
		v.ControlCaught++
	}
	v.Missing = saved
	return v, nil
}
