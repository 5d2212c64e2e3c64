package auth

// Kinds that name a failure outside CXone, for the same JSON field and advice table as the
// check's own kinds: the keyring could not be read, or there is no such profile.
const (
	KindKeyring  Kind = "keyring"
	KindNotFound Kind = "not_found"
)

// Target is the value a failure points at, so a person (or the wizard) knows what to change.
type Target int

// Targets of the advice.
const (
	TargetNone      Target = iota // nothing to change: try again later
	TargetClient                  // the Client ID or Client Secret
	TargetAccessKey               // the Access Key ID or Access Key Secret
	TargetIssuer                  // the environment or issuer URL
	TargetKeyring                 // the keyring or its passphrase
	TargetProfile                 // the profile does not exist
)

// Advice is what to tell a person about a failure of one kind: the command line's report, the
// wizard's check step and the profiles screen all read it from here.
type Advice struct {
	Title  string // headline: "CXone rejected the client credentials"
	Short  string // a few words for a one-line status: "client rejected"
	Cause  string // what it means, in one or two sentences
	Fix    string // what to do, without naming a command or a key (callers add their own)
	Target Target // the value to change
	// Retry says whether sending the same request again can help (network, timeout, server).
	// Rejected credentials are never worth re-sending unchanged.
	Retry bool
}

// AdviceFor returns the advice for a kind of failure; unknown kinds get the protocol advice.
func AdviceFor(k Kind) Advice {
	switch k {
	case KindInvalidClient:
		return Advice{
			Title:  "CXone rejected the client credentials",
			Short:  "client rejected",
			Cause:  "The Client ID or the Client Secret is wrong, or the application is not approved yet, disabled, or registered for another environment.",
			Fix:    "Compare both values with the email from NICE and enter them again.",
			Target: TargetClient,
		}
	case KindInvalidGrant:
		return Advice{
			Title:  "CXone rejected the access key",
			Short:  "access key rejected",
			Cause:  "The Access Key ID or the Access Key Secret is wrong, the key is inactive or revoked, or its user is deactivated.",
			Fix:    "Enter the key again, or create a new one (My Profile → Access Keys → Add access key).",
			Target: TargetAccessKey,
		}
	case KindUnauthorized:
		return Advice{
			Title:  "The API refused the new token",
			Short:  "token refused by the API",
			Cause:  "CXone issued a token but the API did not accept it: the access key's user may lack API permissions.",
			Fix:    "Check the user's role in CXone, or use an access key of another user.",
			Target: TargetAccessKey,
		}
	case KindNetwork:
		return Advice{
			Title: "Could not reach CXone",
			Short: "unreachable",
			Cause: "The connection to CXone failed.",
			Fix:   "Check the network connection, proxy or VPN and the issuer, then try again.",
			Retry: true, Target: TargetNone,
		}
	case KindTimeout:
		return Advice{
			Title: "CXone did not answer in time",
			Short: "timed out",
			Cause: "A request outlived its time limit.",
			Fix:   "Try again; if it keeps happening, allow each request more time.",
			Retry: true, Target: TargetNone,
		}
	case KindServer:
		return Advice{
			Title: "CXone answered with a server error",
			Short: "server error",
			Cause: "This is usually temporary.",
			Fix:   "Try again in a few minutes.",
			Retry: true, Target: TargetNone,
		}
	case KindKeyring:
		return Advice{
			Title:  "The keyring could not be read",
			Short:  "keyring unreadable",
			Cause:  "The keyring is locked, its passphrase is wrong, or it is not available here.",
			Fix:    "Unlock the keyring (or give its passphrase), or pick another keyring.",
			Target: TargetKeyring,
		}
	case KindNotFound:
		return Advice{
			Title:  "No such profile",
			Short:  "not found",
			Cause:  "Nothing is stored under that name.",
			Fix:    "Set the profile up, or list the profiles that exist.",
			Target: TargetProfile,
		}
	}
	return Advice{
		Title:  "Unexpected answer from the issuer",
		Short:  "unexpected answer",
		Cause:  "CXone's answer was not what was expected.",
		Fix:    "Check that the environment or the issuer URL is right.",
		Target: TargetIssuer,
	}
}
