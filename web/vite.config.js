import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

const outDir = fileURLToPath(new URL('./dist/', import.meta.url));

// dist/.gitkeep is committed so that the Go package (//go:embed all:dist)
// compiles in a fresh clone before the front end is built. Vite empties dist/
// before each build; put the marker back afterwards so `git status` stays clean.
const keepGitkeep = {
  name: 'incidentgraph-keep-gitkeep',
  apply: 'build',
  closeBundle() {
    writeFileSync(`${outDir}.gitkeep`, '');
  },
};

// The page is served by the Go binary (package web) at `/`, its hashed files
// under `/assets/`. Everything is bundled: the built page loads nothing from any
// other origin, so it works on an offline analyst workstation.
export default defineConfig({
  base: '/',
  plugins: [react(), keepGitkeep],
  build: {
    outDir: 'dist',
    assetsDir: 'assets',
    emptyOutDir: true,
    sourcemap: false,
    // GraphiQL + CodeMirror + React make one large chunk; that is expected.
    chunkSizeWarningLimit: 2500,
    rolldownOptions: {
      // Two pages, two entries: GraphiQL at / and the explorer at /explore (package web serves
      // dist/explore.html there). They share no code, so the explorer's bundle carries
      // Cytoscape.js only, not React and GraphiQL.
      input: {
        index: fileURLToPath(new URL('./index.html', import.meta.url)),
        explore: fileURLToPath(new URL('./explore.html', import.meta.url)),
      },
      output: {
        // GraphiQL derives its icons' <title> (tooltips, screen readers) from
        // the components' function names: without this they read "zx icon".
        keepNames: true,
      },
      onLog(level, log, handler) {
        // react-compiler-runtime starts with "use no memo", a hint for the
        // React Compiler only; dropping it when bundling is harmless.
        if (log.code === 'MODULE_LEVEL_DIRECTIVE' && /react-compiler-runtime/.test(log.id ?? log.message)) {
          return;
        }
        handler(level, log);
      },
    },
  },
});
