package labels

import (
	"fmt"
	"sort"
	"strings"
	"unicode"
)

type token int

const (
	tokError token = iota
	tokEOS
	tokClosePar
	tokComma
	tokDoesNotExist
	tokDoubleEquals
	tokEquals
	tokGreater
	tokIdent
	tokIn
	tokLess
	tokNotEquals
	tokNotIn
	tokOpenPar
)

var symbols = []struct {
	s   string
	tok token
}{ // longest first
	{"!=", tokNotEquals}, {"==", tokDoubleEquals},
	{"!", tokDoesNotExist}, {"=", tokEquals}, {"(", tokOpenPar}, {")", tokClosePar},
	{",", tokComma}, {">", tokGreater}, {"<", tokLess},
}

func isSpecial(c rune) bool { return strings.ContainsRune("=!(),><", c) }

type item struct {
	tok token
	lit string
}

// lex splits the input into tokens; in/notin are keywords here and turned
// back into identifiers by the parser where a value is expected.
func lex(s string) []item {
	var out []item
	rs := []rune(s)
	for i := 0; i < len(rs); {
		c := rs[i]
		switch {
		case unicode.IsSpace(c):
			i++
		case isSpecial(c):
			for _, sym := range symbols {
				if strings.HasPrefix(string(rs[i:]), sym.s) {
					out = append(out, item{sym.tok, sym.s})
					i += len(sym.s)
					break
				}
			}
		default:
			j := i
			for j < len(rs) && !unicode.IsSpace(rs[j]) && !isSpecial(rs[j]) {
				j++
			}
			lit := string(rs[i:j])
			tok := tokIdent
			switch lit {
			case "in":
				tok = tokIn
			case "notin":
				tok = tokNotIn
			}
			out = append(out, item{tok, lit})
			i = j
		}
	}
	return append(out, item{tokEOS, ""})
}

type parser struct {
	items []item
	pos   int
}

func (p *parser) peek(values bool) item {
	it := p.items[p.pos]
	if values && (it.tok == tokIn || it.tok == tokNotIn) {
		it.tok = tokIdent
	}
	return it
}

func (p *parser) next(values bool) item {
	it := p.peek(values)
	if p.pos < len(p.items)-1 {
		p.pos++
	}
	return it
}

// Parse reads the selector syntax: comma-separated requirements, each
// "k", "!k", "k=v", "k==v", "k!=v", "k in (a,b)", "k notin (a)", "k>1", "k<1".
// The empty string selects everything.
func Parse(s string) (Selector, error) {
	p := &parser{items: lex(s)}
	var reqs []Requirement
	for {
		switch it := p.peek(false); it.tok {
		case tokEOS:
			sort.SliceStable(reqs, func(i, j int) bool { return reqs[i].key < reqs[j].key })
			return internalSelector(reqs), nil
		case tokIdent, tokDoesNotExist:
			r, err := p.requirement()
			if err != nil {
				return nil, err
			}
			reqs = append(reqs, *r)
			switch it := p.next(false); it.tok {
			case tokEOS:
			case tokComma:
				if p.peek(false).tok != tokIdent && p.peek(false).tok != tokDoesNotExist {
					return nil, fmt.Errorf("found '%s', expected: identifier after ','", p.peek(false).lit)
				}
			default:
				return nil, fmt.Errorf("found '%s', expected: ',' or 'end of string'", it.lit)
			}
		default:
			return nil, fmt.Errorf("found '%s', expected: !, identifier, or 'end of string'", it.lit)
		}
	}
}

func (p *parser) requirement() (*Requirement, error) {
	if p.peek(false).tok == tokDoesNotExist {
		p.next(false)
		it := p.next(false)
		if it.tok != tokIdent {
			return nil, fmt.Errorf("found '%s', expected: identifier", it.lit)
		}
		return NewRequirement(it.lit, OpDoesNotExist, nil)
	}
	key := p.next(false).lit
	var op Operator
	switch it := p.peek(false); it.tok {
	case tokEOS, tokComma:
		return NewRequirement(key, OpExists, nil)
	case tokEquals:
		op = OpEquals
	case tokDoubleEquals:
		op = OpDoubleEquals
	case tokNotEquals:
		op = OpNotEquals
	case tokGreater:
		op = OpGreaterThan
	case tokLess:
		op = OpLessThan
	case tokIn:
		op = OpIn
	case tokNotIn:
		op = OpNotIn
	default:
		return nil, fmt.Errorf("found '%s', expected: '=', '!=', '==', 'in', notin'", it.lit)
	}
	p.next(false)
	var vals []string
	var err error
	if op == OpIn || op == OpNotIn {
		vals, err = p.setValues()
	} else {
		vals, err = p.exactValue()
	}
	if err != nil {
		return nil, err
	}
	return NewRequirement(key, op, vals)
}

func (p *parser) exactValue() ([]string, error) {
	switch it := p.peek(true); it.tok {
	case tokEOS, tokComma:
		return []string{""}, nil
	case tokIdent:
		p.next(true)
		return []string{it.lit}, nil
	default:
		return nil, fmt.Errorf("found '%s', expected: identifier", it.lit)
	}
}

// setValues reads "(a,b)"; empty members ("()", "(a,)") are the empty value.
func (p *parser) setValues() ([]string, error) {
	if it := p.next(true); it.tok != tokOpenPar {
		return nil, fmt.Errorf("found '%s' expected: '('", it.lit)
	}
	var vals []string
	expectValue := true
	for {
		it := p.next(true)
		switch it.tok {
		case tokIdent:
			if !expectValue {
				return nil, fmt.Errorf("found '%s', expected: ',' or ')'", it.lit)
			}
			vals = append(vals, it.lit)
			expectValue = false
		case tokComma:
			if expectValue {
				vals = append(vals, "")
			}
			expectValue = true
		case tokClosePar:
			if expectValue {
				vals = append(vals, "")
			}
			return vals, nil
		default:
			return nil, fmt.Errorf("found '%s', expected: ',', ')' or identifier", it.lit)
		}
	}
}
