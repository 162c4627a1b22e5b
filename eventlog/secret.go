package eventlog

// The rulebook keeps some facts secret for a while (DESIGN.md §5): who
// downloaded the tender documents, until the deadline; who bid, until the
// opening results; who was drawn and sits on the committee, until the
// result is final. Events record those facts the moment they happen, so
// the routes that serve events (the transparency log, the audit trail)
// must withhold such an event from every reader who could not read the
// same fact on the domain's own routes at that moment — administrators
// included — and serve it in full once it is released. A withheld event
// keeps its position and leaf hash (Event.Withhold), so the tree and its
// proofs still verify without the contents.
//
// Each domain declares its secret kinds as data (bidding.SecretEvents,
// experts.SecretEvents, evaluation.SecretEvents); the HTTP layer decides
// per reader with the domains' facts. LOG.md lists the whole table.

// Release names the moment the rulebook releases a secret event.
type Release string

// The release moments.
const (
	// AtDeadline: the section's bid deadline has passed (bidding closed),
	// the moment the names and number of downloaders stop being secret.
	AtDeadline Release = "deadline"
	// AtResults: the opening results are published (names and prices,
	// when decryption closes), or the section ended without an opening.
	AtResults Release = "results"
	// AtFinal: the section's result is final (awarded), the moment the
	// expert list is released.
	AtFinal Release = "final"
)

// Secret declares one secret event type and when it is released.
type Secret struct {
	Type    string  // the event type, e.g. "document.downloaded"
	Release Release // when every reader of the project's events may read it
	Why     string  // the fact it would reveal, for LOG.md and reviews
	// RecordSupervisor lets the draw's supervisor of record read it before
	// the release, as the draw routes show them the drawn list.
	RecordSupervisor bool
	// ProjectSupervisors lets the project's supervisors read it before the
	// release, as the evaluation routes show them the committee.
	ProjectSupervisors bool
}

// Secrets indexes secret declarations by type. It returns an error-free
// map; a type declared twice keeps the first declaration, and the test of
// each domain's table checks that no type is declared twice.
func Secrets(tables ...[]Secret) map[string]Secret {
	out := map[string]Secret{}
	for _, t := range tables {
		for _, s := range t {
			if _, dup := out[s.Type]; !dup {
				out[s.Type] = s
			}
		}
	}
	return out
}
