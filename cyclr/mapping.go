package cyclr

import (
	"encoding/base64"
	"errors"
	"fmt"
	"sort"
	"strings"

	"cxone-auth/auth"
)

// Methods of putting the access key into an install.
const (
	MethodProperties = "properties" // account-connector properties, by TargetName
	MethodAuthValue  = "auth_value" // AuthValue = base64(ID ":" secret), HTTP Basic
)

// Map values: what --map TARGET=VALUE puts into TARGET.
const (
	MapID     = "id"     // the Access Key ID
	MapSecret = "secret" // the Access Key Secret
	MapBasic  = "basic"  // for the target AuthValue: base64(ID ":" secret)
	// MapAuthValue is the --map target that means the install's AuthValue.
	MapAuthValue = "AuthValue"
)

// Plan is where an install puts the access key, read from the connector's own description.
type Plan struct {
	Method string
	// Where says, for people, which field takes which value, e.g. `property accessKeyId ←
	// Access Key ID`.
	Where []string
	body  InstallBody
	// secrets are the values to hide when the body is shown, keyID the value to mask.
	secrets []string
	keyID   string
}

// Body is the install (or update) body with the key in it, named name.
func (p Plan) Body(name, description string) InstallBody {
	b := p.body
	b.Name, b.Description = name, description
	b.Properties = append([]Property(nil), p.body.Properties...)
	return b
}

// Masked is the body as --dry-run shows it: every secret (and the AuthValue, which holds
// one) replaced by its length, the Access Key ID masked as list and check mask IDs.
func (p Plan) Masked(name, description string) InstallBody {
	b := p.Body(name, description)
	if b.AuthValue != nil {
		m := hidden(*b.AuthValue)
		b.AuthValue = &m
	}
	for i := range b.Properties {
		if b.Properties[i].Value == p.keyID {
			b.Properties[i].Value = auth.Mask(p.keyID)
		}
		for _, s := range p.secrets {
			if b.Properties[i].Value == s {
				b.Properties[i].Value = hidden(s)
			}
		}
	}
	return b
}

// Secrets are the values an install request made from the plan must never show again, in an
// error Cyclr answers with (see Client.Install): the Access Key Secret and the forms that
// hold it, whichever the body carries (a server that knows the key can quote either).
func (p Plan) Secrets() []string {
	out := append([]string(nil), p.secrets...)
	var key string
	for _, s := range p.secrets {
		if key == "" || len(s) < len(key) {
			key = s
		}
	}
	if key != "" && p.keyID != "" {
		pair := []byte(p.keyID + ":" + key)
		out = append(out, base64.StdEncoding.EncodeToString(pair), base64.RawStdEncoding.EncodeToString(pair),
			base64.URLEncoding.EncodeToString(pair), base64.RawURLEncoding.EncodeToString(pair))
	}
	return out
}

// hidden stands for a secret in what is shown: its length only.
func hidden(s string) string { return fmt.Sprintf("(hidden, %d characters)", len([]rune(s))) }

// SchemaError is a connector whose description says nowhere where an access key goes.
type SchemaError struct {
	Connector Connector
	Reason    string
}

func (e *SchemaError) Error() string {
	return fmt.Sprintf("the %s connector's description does not say where the access key goes (%s); give it with --map TARGET=id --map TARGET=secret (a property's TargetName), or --map AuthValue=basic", auth.Sanitize(e.Connector.Name), e.Reason)
}

func norm(s string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		if (r >= 'a' && r <= 'z') || (r >= '0' && r <= '9') {
			b.WriteRune(r)
		}
	}
	return b.String()
}

var (
	idNames     = map[string]bool{"accesskeyid": true, "accesskeyidentifier": true, "useraccesskeyid": true}
	secretNames = map[string]bool{"accesskeysecret": true, "secretaccesskey": true, "useraccesskeysecret": true, "accesskeysecretkey": true}
)

func properties(c Connector) []Parameter {
	var out []Parameter
	for _, p := range c.Parameters {
		if p.IsAccountConnectorProperty {
			out = append(out, p)
		}
	}
	return out
}

// basicAuth is the connector's HTTP Basic (or password-style) authentication, if it has one.
func basicAuth(c Connector) (Authentication, bool) {
	for _, a := range c.Authentication {
		t, n := norm(a.AuthType), norm(a.AuthName)
		if t == "basic" || t == "httpbasic" || t == "password" || strings.Contains(n, "basic") || strings.Contains(n, "password") {
			return a, true
		}
	}
	if norm(c.AuthType) == "basic" {
		return Authentication{}, true
	}
	return Authentication{}, false
}

// PlanInstall decides where the access key goes in an install of c: properties whose name (or
// TargetName) is the Access Key ID and Secret get them; else an HTTP Basic authentication gets
// AuthValue = base64(ID ":" secret); else it is refused with a *SchemaError. maps (from --map,
// TARGET → id, secret, or AuthValue → basic) replace the reading of the schema; each TARGET
// must be one of c's account-connector properties. The key goes in one place only.
func PlanInstall(c Connector, keyID, keySecret string, maps map[string]string) (Plan, error) {
	props := properties(c)
	byTarget := map[string]Parameter{}
	for _, p := range props {
		byTarget[p.TargetName] = p
	}
	if len(maps) > 0 {
		return planMapped(c, byTarget, keyID, keySecret, maps)
	}
	var idP, secretP *Parameter
	for i := range props {
		p := &props[i]
		switch {
		case idNames[norm(p.TargetName)] || idNames[norm(p.Name)]:
			if idP == nil {
				idP = p
			}
		case secretNames[norm(p.TargetName)] || secretNames[norm(p.Name)]:
			if secretP == nil {
				secretP = p
			}
		}
	}
	if idP != nil && secretP != nil {
		return Plan{Method: MethodProperties, secrets: []string{keySecret}, keyID: keyID,
			Where: []string{"property " + auth.Sanitize(idP.TargetName) + " ← Access Key ID", "property " + auth.Sanitize(secretP.TargetName) + " ← Access Key Secret"},
			body:  InstallBody{Properties: []Property{{Name: idP.TargetName, Value: keyID, ID: idP.ID}, {Name: secretP.TargetName, Value: keySecret, ID: secretP.ID}}}}, nil
	}
	if idP != nil || secretP != nil {
		return Plan{}, &SchemaError{Connector: c, Reason: "it has a property for one half of the access key only"}
	}
	if a, ok := basicAuth(c); ok {
		return planBasic(a, keyID, keySecret), nil
	}
	reason := "no Access Key ID and Secret properties and no HTTP Basic authentication"
	if len(props) > 0 || len(c.Authentication) > 0 {
		reason = "its properties and authentications name no access key"
	}
	return Plan{}, &SchemaError{Connector: c, Reason: reason}
}

func planBasic(a Authentication, keyID, keySecret string) Plan {
	v := base64.StdEncoding.EncodeToString([]byte(keyID + ":" + keySecret))
	where := "AuthValue ← base64(Access Key ID:Access Key Secret) (HTTP Basic"
	if a.AuthName != "" {
		where += ", " + auth.Sanitize(a.AuthName)
	}
	return Plan{Method: MethodAuthValue, secrets: []string{keySecret, v}, keyID: keyID, Where: []string{where + ")"},
		body: InstallBody{AuthenticationID: a.ID, AuthValue: &v}}
}

func planMapped(c Connector, byTarget map[string]Parameter, keyID, keySecret string, maps map[string]string) (Plan, error) {
	if v, ok := maps[MapAuthValue]; ok {
		if v != MapBasic || len(maps) > 1 {
			return Plan{}, errors.New("--map AuthValue=basic puts the whole key in AuthValue: it takes no other --map")
		}
		a, _ := basicAuth(c)
		return planBasic(a, keyID, keySecret), nil
	}
	targets := make([]string, 0, len(maps))
	for t := range maps {
		targets = append(targets, t)
	}
	sort.Strings(targets)
	var p Plan
	p.Method, p.secrets, p.keyID = MethodProperties, []string{keySecret}, keyID
	seen := map[string]bool{}
	for _, t := range targets {
		param, ok := byTarget[t]
		if !ok {
			return Plan{}, fmt.Errorf("--map %s: %s has no account connector property with TargetName %q", auth.Sanitize(t), auth.Sanitize(c.Name), auth.Sanitize(t))
		}
		var val, what string
		switch maps[t] {
		case MapID:
			val, what = keyID, "Access Key ID"
		case MapSecret:
			val, what = keySecret, "Access Key Secret"
		default:
			return Plan{}, fmt.Errorf("--map %s=%s: the value is id or secret", auth.Sanitize(t), auth.Sanitize(maps[t]))
		}
		if seen[maps[t]] {
			return Plan{}, fmt.Errorf("--map: the %s is mapped twice", what)
		}
		seen[maps[t]] = true
		p.body.Properties = append(p.body.Properties, Property{Name: param.TargetName, Value: val, ID: param.ID})
		p.Where = append(p.Where, "property "+auth.Sanitize(param.TargetName)+" ← "+what)
	}
	if !seen[MapID] || !seen[MapSecret] {
		return Plan{}, errors.New("--map: map both halves of the access key (TARGET=id and TARGET=secret)")
	}
	return p, nil
}

// Describe is the connector's authentication as inspect prints it: its methods and its
// account-connector parameters, one line each, sanitised.
func Describe(c Connector) []string {
	s := auth.Sanitize
	out := []string{fmt.Sprintf("%s (connector %d, version %s, status %s)", s(c.Name), c.ID, s(orNone(c.Version)), s(orNone(c.Status)))}
	out = append(out, "  auth type: "+s(orNone(c.AuthType)))
	if len(c.Authentication) == 0 {
		out = append(out, "  authentication methods: none listed")
	} else {
		out = append(out, "  authentication methods:")
		for _, a := range c.Authentication {
			line := "    " + s(orNone(a.AuthName)) + " (" + s(orNone(a.AuthType)) + ", id " + s(orNone(a.ID)) + ")"
			if a.AuthDescription != "" {
				line += ": " + s(a.AuthDescription)
			}
			out = append(out, line)
		}
	}
	props := properties(c)
	if len(props) == 0 {
		out = append(out, "  account connector parameters: none")
	} else {
		out = append(out, "  account connector parameters:")
		for _, p := range props {
			line := fmt.Sprintf("    %s (%q, id %d", s(p.TargetName), s(p.Name), p.ID)
			if p.IsSensitive {
				line += ", sensitive"
			}
			if p.IsOptional {
				line += ", optional"
			}
			out = append(out, line+")")
		}
	}
	return out
}

func orNone(v string) string {
	if v == "" || v == "null" {
		return "-"
	}
	return v
}
