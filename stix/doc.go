// Package stix writes a subgraph of the incident graph as a STIX 2.1 bundle (JSON), for threat
// intelligence platforms (OpenCTI, MISP, TAXII servers) and for reading back into the graph.
// It is pure Go over domain values: no database, no clock, no randomness.
//
// # Objects
//
// Each entity becomes one STIX object, chosen by its kind:
//
//   - an ORGANIZATION of type MILITANT_GROUP is a threat-actor with threat_actor_types
//     ["terrorist"]. Not an intrusion-set: STIX defines an intrusion set as a set of adversarial
//     behaviours and resources (the tooling of a cyber operation) that analysts attribute to an
//     actor, while a threat actor is the individual, group or organisation with intent. The
//     Islamic State and IS-K are the latter: organisations that claim, are accused of and are
//     attributed attacks, with aliases, founding dates and affiliates.
//   - other organisations are identities of class "organization" (governments, agencies and
//     embassies with the sector government-national, coalitions with defense), people are
//     identities of class "individual" (their role in roles), and a GROUP is an identity of class
//     "group". A GROUP in this graph is a population or an unnamed set of people (the Yazidis,
//     the detainees of the Moscow attack): never a threat actor, whatever links it has.
//   - countries and places are locations: a country with its ISO code, a place with its country,
//     coordinates and a precision in metres (from the GTD specificity, see precisionMetres), a
//     city's name as city. STIX requires a region, a country or coordinates; a place with none
//     takes its region from its name or aliases (West Africa is western-africa), then from a
//     place or country it lies in within the bundle, then from the regions its description
//     names, and at the last (nothing says where it is) coordinates 0,0 with a precision of half
//     the Earth's circumference, which is true of any place, rather than a made-up region; the
//     extension says which (region_from).
//   - an INCIDENT is an incident. An EVENT of type CAMPAIGN is a campaign (the graph models a
//     campaign of several attacks that way: the Islamic State's campaign against the Yazidis);
//     every other event (alerts, detentions, statements, military operations) is an incident too,
//     STIX's only object for something that happened, with its event type in the extension.
//   - a SOURCE is a report: its title, publisher, date and URL, and object_refs naming every
//     object in the bundle that cites it. Every cited source gets one, not only those covering
//     several items, because the report is the one place its publication date, type and
//     description travel; the citing objects also carry it in external_references, for
//     consumers that read only those.
//
// # Relationships
//
// Each relationship becomes a relationship object with our confidence (0–100, the STIX scale),
// start_time and stop_time from validFrom and validTo, and created_by_ref naming the asserting
// party's identity. Its relationship_type is the STIX type when the STIX 2.1 specification
// suggests that type between the two objects' types (located-at, targets, attributed-to,
// duplicate-of), and related-to otherwise: STIX suggests no relationship from or to an incident
// or between locations, and none for affiliation, claims, accusations or denials. Our type
// always travels in the extension, so none is lost (relationshipTypes lists every type).
//
// created_by_ref must name an identity. An asserting party that is an identity already (a
// person, a non-militant organisation, a group) is named directly. A militant group or a
// country that asserts something gets an identity of its own besides its threat-actor or
// location ("the Islamic State as the author of its claim"), linked to it by the STIX-suggested
// relationship: threat-actor attributed-to identity, identity located-at location.
//
// A denial (DENIED: the actor denies involvement) is also an opinion "strongly-disagree" by the
// denying party on the relationships in the bundle that assert that involvement (accusations,
// claims, attributions). A DISPUTED assertion gets an opinion "disagree" on it with no author
// (the graph records that it is disputed, not by whom). A RETRACTED assertion (its party
// withdrew it) is revoked, STIX's word for an object its creator no longer stands by.
//
// # The extension
//
// What STIX cannot hold (our id, kind and version, statuses, quotes, bases, notes, partial
// dates, GTD codes, figures with their history, source ids in order) travels in a
// property-extension defined by the extension-definition in every bundle, whose schema is
// extension.schema.json in this directory. Every object made from one of our items holds in it
// every field of the item except its name, so that the bundle reads back without loss.
// Objects made only for STIX (the asserting parties' identities and their links, opinions, the
// grouping of the export) say so in "derived".
//
// # Reading
//
// Read reads a bundle back into a batch for the store's writer. Objects with the extension are
// restored whole from it (an asserting party that is not a node carries its item in the
// extension of the identity it asserts through, being in no other object); objects other
// producers wrote (OpenCTI, MISP) map back through the same tables ObjectType, sectors and
// RelationshipType read (objectKinds, orgSectors, relationshipTypes), their relationships
// keeping their asserting party, sources and confidence. What the graph does not hold is
// counted, never dropped silently, and a bad bundle is refused whole, each problem named by
// its JSON path.
//
// # Determinism
//
// The same graph gives the same bytes. Object ids are UUIDv5 in Namespace, of our id (of a
// derived name such as "identity:islamic-state" for derived objects, which cannot collide with
// our ids: they have no colon). created is Epoch for every object; modified is Epoch plus one
// second per curator's write after the first (version 2 is one second later), so that a changed
// item has a later modified, as STIX versioning asks, without a clock. Objects are ordered: the
// extension definition and the producer's identity, the grouping, the entities by our id, the
// relationships by our id, then asserting parties, reports of sources that are not nodes, and
// opinions. The bundle's own id is UUIDv5 of the objects' bytes.
package stix
