package incidentgraph_test

import (
	"os"
	"regexp"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

// No Docker engine runs where these tests run, so the compose file and the Dockerfile are
// checked for what can be checked without one: they parse, and they name the right image,
// ports, environment and commands.

type compose struct {
	Services map[string]struct {
		Image       string            `yaml:"image"`
		Build       any               `yaml:"build"`
		Command     []string          `yaml:"command"`
		Environment map[string]string `yaml:"environment"`
		Ports       []string          `yaml:"ports"`
		Volumes     []string          `yaml:"volumes"`
		Healthcheck *struct {
			Test        []string `yaml:"test"`
			Interval    string   `yaml:"interval"`
			Timeout     string   `yaml:"timeout"`
			Retries     int      `yaml:"retries"`
			StartPeriod string   `yaml:"start_period"`
		} `yaml:"healthcheck"`
		DependsOn map[string]struct {
			Condition string `yaml:"condition"`
		} `yaml:"depends_on"`
	} `yaml:"services"`
	Volumes map[string]any `yaml:"volumes"`
}

func TestDockerCompose(t *testing.T) {
	b, err := os.ReadFile("docker-compose.yml")
	if err != nil {
		t.Fatal(err)
	}
	var c compose
	dec := yaml.NewDecoder(strings.NewReader(string(b)))
	dec.KnownFields(true)
	if err := dec.Decode(&c); err != nil {
		t.Fatalf("docker-compose.yml: %v", err)
	}
	db, ok := c.Services["neo4j"]
	if !ok {
		t.Fatal("no neo4j service")
	}
	if db.Image != "neo4j:5.26-community" {
		t.Errorf("neo4j image %q", db.Image)
	}
	if !strings.HasPrefix(db.Environment["NEO4J_AUTH"], "neo4j/") {
		t.Errorf("NEO4J_AUTH %q", db.Environment["NEO4J_AUTH"])
	}
	if db.Healthcheck == nil || !strings.Contains(strings.Join(db.Healthcheck.Test, " "), "cypher-shell") {
		t.Fatalf("neo4j health check %+v does not ask Neo4j", db.Healthcheck)
	}
	if !contains(db.Ports, "127.0.0.1:7687:7687") || len(db.Volumes) == 0 {
		t.Errorf("neo4j service: ports %v, healthcheck %v, volumes %v", db.Ports, db.Healthcheck, db.Volumes)
	}
	vol := strings.SplitN(db.Volumes[0], ":", 2)
	if _, ok := c.Volumes[vol[0]]; !ok || vol[1] != "/data" {
		t.Errorf("neo4j data volume %q is not a named volume on /data", db.Volumes[0])
	}

	api, ok := c.Services["api"]
	if !ok {
		t.Fatal("no api service")
	}
	if api.Build == nil {
		t.Error("api is not built from this repository")
	}
	if _, err := os.Stat("Dockerfile"); err != nil {
		t.Error(err)
	}
	for k, want := range map[string]string{"NEO4J_URI": "bolt://neo4j:7687", "HTTP_ADDR": "0.0.0.0:8080", "NEO4J_USER": "neo4j"} {
		if api.Environment[k] != want {
			t.Errorf("api %s = %q, want %q", k, api.Environment[k], want)
		}
	}
	for _, k := range []string{"NEO4J_PASSWORD", "NEO4J_DATABASE", "LOG_LEVEL", "LOG_FORMAT"} {
		if _, ok := api.Environment[k]; !ok {
			t.Errorf("api environment lacks %s", k)
		}
	}
	if api.Environment["NEO4J_PASSWORD"] != db.Environment["NEO4J_PASSWORD"] {
		t.Error("api and neo4j disagree on the password")
	}
	if !contains(api.Ports, "127.0.0.1:8080:8080") {
		t.Errorf("api ports %v", api.Ports)
	}
	if api.DependsOn["neo4j"].Condition != "service_healthy" {
		t.Error("api does not wait for a healthy neo4j")
	}
	if strings.Join(api.Command, " ") != "serve --seed" {
		t.Errorf("api command %v does not seed on start", api.Command)
	}
}

func TestDockerfile(t *testing.T) {
	b, err := os.ReadFile("Dockerfile")
	if err != nil {
		t.Fatal(err)
	}
	s := string(b)
	for _, re := range []string{
		`(?m)^FROM node:20\S* AS web$`,
		`(?m)^RUN npm ci\b`,
		`(?m)^FROM golang:1\.26\S* AS build$`,
		`(?m)^RUN CGO_ENABLED=0 go build .* \./cmd/incidentgraph$`,
		`(?m)^COPY --from=web /src/web/dist \./web/dist$`,
		`(?m)^ENTRYPOINT \["incidentgraph"\]$`,
		`(?m)^USER \S+$`,
	} {
		if !regexp.MustCompile(re).MatchString(s) {
			t.Errorf("Dockerfile lacks %s", re)
		}
	}
}

func contains(xs []string, x string) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}
