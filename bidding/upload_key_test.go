package bidding

import (
	"context"
	"testing"

	"github.com/tenderhall/tenderhall/internal/dbtest"
)

// A bidder organisation that never registered a key gets a precise error
// at its first chunk, not a database error.
func TestUploadWithoutRegisteredKey(t *testing.T) {
	for _, b := range dbtest.Backends() {
		t.Run(string(b), func(t *testing.T) {
			f := newUpFixture(t, b, 1)
			sec := f.announced(t, false, testDeadline)
			env := f.seal(t, 5, sec, "投标文件")
			if err := f.svc.db.Conn(context.Background()).Exec("UPDATE organizations SET sm2_public_key = NULL WHERE id = 5").Error; err != nil {
				t.Fatal(err)
			}
			step, err := f.submit(t, bidderOf(5), sec, env, 1<<20)
			if step != "append" || codeOf(err) != "no_registered_key" {
				t.Fatalf("%s: %v", step, err)
			}
		})
	}
}
