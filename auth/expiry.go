package auth

import (
	"fmt"
	"time"
)

// TokenSkew is the least lifetime a token just issued must have to be handed out: a token
// that expires sooner (or already has, by this machine's clock) is refused rather than given
// to a caller that would see it fail.
const TokenSkew = 30 * time.Second

// TokenExpiry is when an access token stops being usable: the earlier of now + expires_in
// and the token's own `exp` claim when it is a JWT. A server may send an expires_in that
// outlives the token it signed; believing expires_in alone would hand out an expired token
// from the cache. Zero when neither is known (the token is then not cached). An id_token's
// exp says nothing about the access token and is not used.
func TokenExpiry(now time.Time, expiresIn int64, accessToken string) time.Time {
	var exp time.Time
	if expiresIn > 0 && expiresIn < 1<<31 {
		exp = now.Add(time.Duration(expiresIn) * time.Second).UTC().Truncate(time.Second)
	}
	if c, err := ParseClaims(accessToken); err == nil && !c.Expiry.IsZero() && (exp.IsZero() || c.Expiry.Before(exp)) {
		exp = c.Expiry.UTC()
	}
	return exp
}

// expiredTokenError is the error for a token that expires within TokenSkew of now.
func expiredTokenError(exp, now time.Time) error {
	return &ProtocolError{Msg: fmt.Sprintf("the access token the issuer sent expires at %s, less than %s from now (%s); it was not used: check this machine's clock",
		exp.UTC().Format(time.RFC3339), TokenSkew, now.UTC().Format(time.RFC3339))}
}
