// Example queries that GraphiQL opens as tabs, one per question researchers
// ask most often. Each query starts with a `#` comment saying what it answers;
// GraphiQL names the tab after the operation name. test/examples.test.mjs
// checks that every query parses and validates against ../schema.graphqls.
//
// Each entry: { title, query, variables? } — `variables` is a JSON string, as
// GraphiQL's variables editor holds it.

export const examples = [
  {
    title: 'Who is IS-K affiliated with?',
    query: `# Who is IS-K affiliated with?
#
# The Islamic State Khorasan Province's ties to other
# groups: whom it is an affiliate or branch of, where
# it came from, whom it fights, what split off it.
# Every tie is an assertion: who asserts it
# (assertedBy), how sure (confidence 0–100), with what
# status (claimed, confirmed, alleged …) and on which
# sources. Conflicting assertions are listed side by
# side, never merged.
query WhoIsISKAffiliatedWith {
  entity(id: "islamic-state-khorasan-province") {
    id
    name
    aliases
    relationships(filter: {types: [
      AFFILIATE_OF, BRANCH_OF, ORIGINATED_FROM,
      ENEMY_OF, OFFSHOOT_OF
    ]}) {
      type
      direction
      other {
        id
        name
        kind
      }
      status
      confidence
      assertedBy {
        name
      }
      sources {
        title
        publisher
        published
        url
      }
    }
  }
}
`,
  },
  {
    title: 'What links the Kabul and Moscow attacks?',
    query: `# What links the Kabul and Moscow attacks?
#
# A shortest chain of relationships between the Kabul
# airport bombing (2021) and the Moscow concert hall
# attack (2024), in either direction, as a link chart:
# the entities on the way (nodes) and the assertions
# linking them (edges, with who asserts each and how
# sure). null when no path exists within maxDepth hops
# (default 6).
query WhatLinksKabulAndMoscow {
  shortestPath(
    from: "kabul-airport-bombing-2021"
    to: "moscow-concert-hall-attack-2024"
  ) {
    nodes {
      id
      kind
      name
    }
    edges {
      id
      type
      source
      target
      status
      confidence
      assertedBy
    }
  }
}
`,
  },
  {
    title: 'Which attacks resemble the Moscow attack?',
    query: `# Which attacks resemble the Moscow attack?
#
# Comparisons drawn by analysts and officials: attacks
# that resemble the Moscow concert hall attack
# (RESEMBLES) or prefigured it (PRECEDENT_OF), with
# what is alike (basis), who draws the comparison, how
# sure, and the words of the source.
query WhichAttacksResembleMoscow {
  entity(id: "moscow-concert-hall-attack-2024") {
    id
    name
    relationships(filter: {types: [RESEMBLES, PRECEDENT_OF]}) {
      type
      direction
      other {
        id
        name
        ... on Incident {
          date
        }
      }
      basis
      assertedBy {
        name
      }
      confidence
      quote
      sources {
        title
        publisher
        published
        url
      }
    }
  }
}
`,
  },
  {
    title: 'What was claimed versus attributed?',
    query: `# What was claimed versus attributed?
#
# Who said who did the Moscow concert hall attack,
# each party's assertion kept separately: the Islamic
# State's own claim (CLAIMED_RESPONSIBILITY_FOR), the
# U.S. attribution to IS-K (ATTRIBUTED_TO), Russia's
# allegation against Ukraine (ACCUSED_OF) and
# Ukraine's denial (DENIED) — side by side, with
# status, confidence, the asserting party, its words
# and its sources.
query ClaimedVersusAttributed {
  entity(id: "moscow-concert-hall-attack-2024") {
    id
    name
    relationships(filter: {types: [
      CLAIMED_RESPONSIBILITY_FOR, ATTRIBUTED_TO,
      ACCUSED_OF, DENIED
    ]}) {
      type
      direction
      other {
        id
        name
        kind
      }
      status
      confidence
      confidenceLevel
      assertedBy {
        id
        name
      }
      assertedOn
      quote
      note
      sources {
        title
        publisher
        published
        url
      }
    }
  }
}
`,
  },
  {
    title: 'Find an entity by any name',
    query: `# Find an entity by any name
#
# Search matches names and aliases, whole words and
# word prefixes, case-insensitively: "Daesh" finds the
# Islamic State group; try "ISKP", "ISIS-K" or
# "Crocus" too. The fragments ask for what each kind
# of entity has of its own (an organization's type and
# GTD name, a place's country …).
query FindEntityByAnyName {
  search(text: "Daesh") {
    __typename
    id
    kind
    name
    aliases
    description
    ... on Organization {
      orgType
      gtdName
      founded
      dissolved
    }
    ... on Country {
      iso2
    }
    ... on Person {
      role
      nationality
    }
    ... on Place {
      placeType
      countryCode
    }
    ... on Incident {
      date
      outcome
    }
    ... on Event {
      eventType
      date
    }
  }
}
`,
  },
  {
    title: 'How many died? (figures keep their history)',
    query: `# How many died? (figures keep their history)
#
# Death tolls of the Moscow concert hall attack as
# they were reported, oldest first: early counts are
# kept when later reports revise them ("at least 133",
# later 145), each with its date, who reported it and
# the source.
query HowManyDied {
  entity(id: "moscow-concert-hall-attack-2024") {
    id
    name
    ... on Incident {
      date
      figures(metric: KILLED) {
        value
        qualifier
        population
        asOf
        status
        assertedBy {
          name
        }
        sources {
          title
          publisher
          published
          url
        }
      }
    }
  }
}
`,
  },
  {
    title: 'Incidents attributed to IS-K',
    query: `# Incidents attributed to IS-K
#
# Attacks claimed by, attributed to or carried out by
# IS-K (by anyone's assertion), oldest first, 20 a
# page. For the next page, set "after" in the
# Variables pane below to pageInfo.endCursor.
# Affiliates are not included: ask for each one.
query IncidentsAttributedToISK($after: String) {
  incidents(
    filter: {perpetrator: "islamic-state-khorasan-province"}
    first: 20
    after: $after
  ) {
    totalCount
    pageInfo {
      hasNextPage
      endCursor
    }
    nodes {
      id
      name
      date
      outcome
      attackTypes
    }
  }
}
`,
    variables: `{
  "after": null
}`,
  },
  {
    title: 'Link chart around IS-K',
    query: `# Link chart around IS-K
#
# Every entity within two hops of IS-K and the
# relationships among them, deduplicated, ready for a
# link-chart tool (Cytoscape.js, Neo4j NVL,
# vis-network). "truncated" says when the node limit
# (default 200) left some entities out; add a filter
# to follow only some relationship types.
query LinkChartAroundISK {
  neighborhood(
    id: "islamic-state-khorasan-province"
    depth: 2
  ) {
    truncated
    nodes {
      id
      kind
      name
    }
    edges {
      id
      type
      source
      target
      status
      confidence
      assertedBy
    }
  }
}
`,
  },
];

// The tabs GraphiQL opens with (its `defaultTabs` prop).
export const defaultTabs = examples.map(({ query, variables }) =>
  variables === undefined ? { query } : { query, variables },
);
