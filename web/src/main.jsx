// GraphiQL for the incident graph, served by the Go binary at `/` and bundled
// whole by Vite: no CDN, no web font, no request to any other origin, so it
// works on an offline analyst workstation.
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { GraphiQL } from 'graphiql';
import { createGraphiQLFetcher } from '@graphiql/toolkit';
import { explorerPlugin } from '@graphiql/plugin-explorer';
import 'graphiql/style.css';
import '@graphiql/plugin-explorer/style.css';
import './main.css';
import { defaultTabs } from './examples.js';

// Same-origin POST of JSON to /graphql (no subscriptions: no websocket URL).
const fetcher = createGraphiQLFetcher({ url: '/graphql' });

// The query builder in the side bar (click fields to build a query).
const plugins = [explorerPlugin()];

createRoot(document.getElementById('graphiql')).render(
  <StrictMode>
    <GraphiQL
      fetcher={fetcher}
      plugins={plugins}
      defaultTabs={defaultTabs}
    >
      {/* The way to the link-chart explorer (served at /explore, which links back here). */}
      <GraphiQL.Logo>
        <a className="graphiql-logo-link" href="/explore" title="Draw the graph as a link chart">Explorer</a>
        {' · GraphiQL'}
      </GraphiQL.Logo>
    </GraphiQL>
  </StrictMode>,
);
