package cli

import (
	"encoding/json"
	"strings"
	"testing"

	"cxone-auth/auth/cxonetest"
	"cxone-auth/store"
)

// habitsJSON is the part of check --json and list --json these tests read.
type habitsJSON struct {
	Profiles []struct {
		Profile         string `json:"profile"`
		Status          string `json:"status"`
		LastCheckStatus string `json:"last_check_status"`
		ClientID        string `json:"client_id"`
		AccessKeyID     string `json:"access_key_id"`
		TenantID        string `json:"tenant_id"`
		Area            string `json:"area"`
		Cluster         string `json:"cluster"`
	} `json:"profiles"`
}

func habitsParse(t *testing.T, out string) habitsJSON {
	t.Helper()
	var j habitsJSON
	if err := json.Unmarshal([]byte(out), &j); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, out)
	}
	return j
}

// TestJSONGivesIDsInFull: check --json and list --json give the client, access key and tenant
// IDs in full with area and cluster, for scripts; the text outputs keep them masked.
func TestJSONGivesIDsInFull(t *testing.T) {
	e := habitsProfiles(t, "prod")
	c, u := cxonetest.DefaultCredentials, cxonetest.DefaultUser
	for _, args := range [][]string{{"check", "--json"}, {"check", "--all", "--json"}, {"list", "--json"}} {
		code, out, stderr := e.run(args...)
		if code != 0 {
			t.Fatalf("%v: exit %d\n%s", args, code, stderr)
		}
		j := habitsParse(t, out)
		if len(j.Profiles) != 1 {
			t.Fatalf("%v: %d profiles\n%s", args, len(j.Profiles), out)
		}
		p := j.Profiles[0]
		if p.ClientID != c.ClientID || p.AccessKeyID != c.AccessKeyID || p.TenantID != u.TenantID {
			t.Errorf("%v: IDs %q %q %q, want them in full\n%s", args, p.ClientID, p.AccessKeyID, p.TenantID, out)
		}
		if p.Area != u.Area || p.Cluster != u.Cluster {
			t.Errorf("%v: area %q cluster %q, want %q %q", args, p.Area, p.Cluster, u.Area, u.Cluster)
		}
		if strings.Contains(out, c.ClientSecret) || strings.Contains(out, c.AccessKeySecret) {
			t.Errorf("%v: a secret in the JSON", args)
		}
	}
	for _, args := range [][]string{{"check"}, {"list"}, {"status"}} {
		_, out, _ := e.run(args...)
		for _, id := range []string{c.ClientID, c.AccessKeyID, u.TenantID} {
			if strings.Contains(out, id) {
				t.Errorf("%v: text output shows %q unmasked:\n%s", args, id, out)
			}
		}
	}
}

// TestOneStatusVocabulary: a profile whose issuer cannot be reached is "unreachable" in check
// --json, in what check records, in list (text and JSON) and in status; a profile with no
// keyring item is "missing". Every status any output gives is one of store.Statuses.
func TestOneStatusVocabulary(t *testing.T) {
	e := habitsProfiles(t, "prod", "gone")
	lab := cxonetest.New(cxonetest.Config{})
	e.vars["CXONE_ISSUER"] = lab.URL
	if code, _, stderr := e.run("setup", "--env-file", e.writeEnvFile("lab.env", cxonetest.DefaultCredentials), "--profile", "lab"); code != 0 {
		t.Fatalf("setup lab: %s", stderr)
	}
	lab.Close()
	// The keyring item of gone disappears behind the config's back.
	if code, _, stderr := e.run("remove", "gone", "--yes"); code != 0 {
		t.Fatal(stderr)
	}
	habitsPlantName(t, e.vars["CXONE_CONFIG_DIR"]+"/config.json", "gone", "prod")

	code, out, _ := e.run("check", "--all", "--json")
	if code != 1 {
		t.Errorf("check --all: exit %d, want 1", code)
	}
	want := map[string]string{"prod": "valid", "lab": "unreachable", "gone": "missing"}
	inVocabulary := func(s string) bool {
		for _, v := range store.Statuses {
			if s == v {
				return true
			}
		}
		return false
	}
	for _, p := range habitsParse(t, out).Profiles {
		if p.Status != want[p.Profile] || !inVocabulary(p.Status) {
			t.Errorf("check --json %s: %q, want %q", p.Profile, p.Status, want[p.Profile])
		}
	}
	_, out, _ = e.run("list", "--json")
	for _, p := range habitsParse(t, out).Profiles {
		if p.Profile == "lab" && p.LastCheckStatus != "unreachable" {
			t.Errorf("list --json lab: %q, want unreachable", p.LastCheckStatus)
		}
		if p.LastCheckStatus != "" && !inVocabulary(p.LastCheckStatus) {
			t.Errorf("list --json %s: %q is not in the vocabulary", p.Profile, p.LastCheckStatus)
		}
	}
	_, out, _ = e.run("list")
	if !strings.Contains(out, "unreachable (network)") {
		t.Errorf("list text lacks the unreachable status:\n%s", out)
	}
	_, out, _ = e.run("status")
	for _, line := range strings.Split(out, "\n") {
		for name, st := range map[string]string{"lab": "unreachable", "gone": "missing"} {
			if strings.Contains(line, " "+name+" ") && !strings.Contains(line, st) {
				t.Errorf("status: the line of %s lacks %q: %q", name, st, line)
			}
		}
	}
	if _, out, _ = e.run("check", "--profile", "lab"); !strings.Contains(out, "Status") || !strings.Contains(out, "unreachable") {
		t.Errorf("check text of lab lacks its status:\n%s", out)
	}
	// An entry recorded before the vocabulary had "unreachable" reads the same.
	tamperConfig(t, e, "lab", func(p map[string]any) { p["last_check_status"] = "error" })
	_, out, _ = e.run("list", "--json")
	for _, p := range habitsParse(t, out).Profiles {
		if p.Profile == "lab" && p.LastCheckStatus != "unreachable" {
			t.Errorf("list --json of an old entry: %q, want unreachable", p.LastCheckStatus)
		}
	}
}
