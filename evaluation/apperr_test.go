package evaluation

import "github.com/tenderhall/tenderhall/internal/apperr"

func asAppErr(err error) (*apperr.Error, bool) { return apperr.As(err) }
