package main

import (
	"fmt"
	"os"
	"time"

	"github.com/spf13/cobra"

	"github.com/tenderhall/tenderhall/video/evidence"
)

// videoEvidenceCmd verifies a room's recording online, as verify video
// does, and writes what it verified as a package that verifies offline.
func (e *env) videoEvidenceCmd() *cobra.Command {
	var f videoFlags
	var out string
	cmd := &cobra.Command{
		Use:   "evidence --server URL --platform-pub platform.pub --room R --from T --to T --out DIR [--token T]",
		Short: "Export a room's recording for a time window as an evidence package that verifies offline (证据包)",
		Long: "Verifies the recording as `tenderhall verify video` does, then writes to --out (new or empty):\n" +
			"  manifest.json            the signed tree head, and every event that logged a segment of the\n" +
			"                           window with its inclusion proof under that head\n" +
			"  camera-<id>/index.m3u8   a VOD playlist with program date times (ffplay or VLC play it)\n" +
			"  camera-<id>/<segment>    the segments, byte for byte as logged\n" +
			"`tenderhall verify video --evidence DIR --platform-pub platform.pub` checks it with the key alone.\n" +
			"When the recording fails verification nothing is kept and the command exits non-zero.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if out == "" {
				return fmt.Errorf("%w: --server, --platform-pub, --room, --from, --to and --out are required", errUsage)
			}
			c, pub, start, end, err := f.prepare(e)
			if err != nil {
				return err
			}
			w, err := evidence.Create(out)
			if err != nil {
				return err
			}
			if err := e.verifyVideo(cmd.Context(), c, pub, f.room, start, end, w); err != nil {
				os.RemoveAll(out)
				return err
			}
			fmt.Fprintln(e.out, "evidence package written to", out)
			return nil
		},
	}
	f.bind(cmd)
	cmd.Flags().StringVar(&out, "out", "", "directory to write the package to (new or empty)")
	return cmd
}

// verifyEvidence checks a package offline and prints every finding.
func (e *env) verifyEvidence(dir, pubFile string) error {
	pub, err := loadPublicKey(pubFile)
	if err != nil {
		return err
	}
	r, err := evidence.Verify(dir, pub)
	if err != nil {
		return err
	}
	m := r.Manifest
	fmt.Fprintf(e.out, "evidence package of %s, room %s, %s to %s: %d camera(s), head of size %d signed %s\n", m.Server, m.Room,
		m.From.UTC().Format(time.RFC3339), m.To.UTC().Format(time.RFC3339), len(m.Cameras), m.Head.TreeSize,
		time.UnixMilli(m.Head.Timestamp).UTC().Format(time.RFC3339))
	for _, n := range r.Notes {
		fmt.Fprintln(e.out, "NOTE", n)
	}
	for _, f := range r.Findings {
		fmt.Fprintln(e.out, "PROBLEM", f)
	}
	if len(r.Findings) > 0 {
		return fmt.Errorf("the evidence package failed verification: %d problem(s)", len(r.Findings))
	}
	fmt.Fprintf(e.out, "OK: %d segments match the log under the signed head of size %d\n", r.Segments, m.Head.TreeSize)
	return nil
}
