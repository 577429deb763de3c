# The incident graph service as a container: GraphiQL bundle, Go binary, small runtime image.
# docker-compose.yml runs it beside the official Neo4j image.

FROM node:20-bookworm-slim AS web
WORKDIR /src/web
COPY web/package.json web/package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY web/ ./
RUN npm run build

FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
COPY --from=web /src/web/dist ./web/dist
RUN CGO_ENABLED=0 go build -trimpath -ldflags="-s -w" -o /out/incidentgraph ./cmd/incidentgraph

FROM alpine:3.20
RUN adduser -D -H -u 10001 incidentgraph
COPY --from=build /out/incidentgraph /usr/local/bin/incidentgraph
USER incidentgraph
ENV HTTP_ADDR=0.0.0.0:8080 LOG_FORMAT=json
EXPOSE 8080
HEALTHCHECK --interval=10s --timeout=3s --retries=3 CMD wget -q -O /dev/null http://127.0.0.1:8080/healthz || exit 1
ENTRYPOINT ["incidentgraph"]
CMD ["serve"]
