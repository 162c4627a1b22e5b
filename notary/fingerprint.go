package notary

import (
	"bytes"
	"encoding/binary"
	"net"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

const fingerprintLabel = "TenderHall machine fingerprint v1"

// FingerprintPart is one identifier of a machine, by name ("hostname",
// "mac", "disk", "cpu", "machine-id").
type FingerprintPart struct {
	Name, Value string
}

// FingerprintHash hashes machine identifiers into the value an envelope
// carries: SM3(label ‖ for each part in sorted order: len ‖ name ‖ len ‖
// value), lengths as 4-byte big-endian. Only this hash leaves the machine;
// the identifiers never do. Two envelopes sealed on the same machine carry
// the same hash, which is what collusion checks (串标) compare.
func FingerprintHash(parts []FingerprintPart) Digest {
	sorted := append([]FingerprintPart(nil), parts...)
	sort.Slice(sorted, func(i, j int) bool {
		if sorted[i].Name != sorted[j].Name {
			return sorted[i].Name < sorted[j].Name
		}
		return sorted[i].Value < sorted[j].Value
	})
	var b bytes.Buffer
	b.WriteString(fingerprintLabel)
	for _, p := range sorted {
		for _, s := range []string{p.Name, p.Value} {
			b.Write(binary.BigEndian.AppendUint32(nil, uint32(len(s))))
			b.WriteString(s)
		}
	}
	return sm3Sum(b.Bytes())
}

// MachineFingerprint hashes this machine's identifiers: host name, network
// hardware addresses, disk ids, the CPU's identity and the OS machine id,
// each where the platform exposes it (missing ones are left out, so the
// hash is stable on one machine but never fails).
func MachineFingerprint() Digest {
	return FingerprintHash(MachineFingerprintParts())
}

// MachineFingerprintParts lists what MachineFingerprint hashes. Callers may
// show the names to the bidder; the values stay on the machine.
func MachineFingerprintParts() []FingerprintPart {
	var parts []FingerprintPart
	if h, err := os.Hostname(); err == nil {
		parts = append(parts, FingerprintPart{"hostname", h})
	}
	parts = append(parts, macParts()...)
	parts = append(parts, diskParts()...)
	parts = append(parts, cpuParts()...)
	for _, f := range []string{"/etc/machine-id", "/var/lib/dbus/machine-id"} {
		if b, err := os.ReadFile(f); err == nil && len(bytes.TrimSpace(b)) > 0 {
			parts = append(parts, FingerprintPart{"machine-id", string(bytes.TrimSpace(b))})
			break
		}
	}
	return parts
}

// macParts lists hardware addresses of non-loopback interfaces; virtual
// ones (docker, veth) are included too, as they are part of the machine.
func macParts() []FingerprintPart {
	ifs, err := net.Interfaces()
	if err != nil {
		return nil
	}
	var parts []FingerprintPart
	for _, i := range ifs {
		if i.Flags&net.FlagLoopback == 0 && len(i.HardwareAddr) > 0 {
			parts = append(parts, FingerprintPart{"mac", i.HardwareAddr.String()})
		}
	}
	return parts
}

// diskParts lists the stable disk ids Linux publishes (model and serial
// numbers); partitions are left out since they add nothing.
func diskParts() []FingerprintPart {
	names, _ := filepath.Glob("/dev/disk/by-id/*")
	var parts []FingerprintPart
	for _, n := range names {
		if base := filepath.Base(n); !strings.Contains(base, "-part") {
			parts = append(parts, FingerprintPart{"disk", base})
		}
	}
	return parts
}

// cpuParts takes the CPU's vendor, model and, where the kernel shows one,
// serial number, plus the board's product UUID when readable.
func cpuParts() []FingerprintPart {
	var parts []FingerprintPart
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		seen := map[string]bool{}
		for _, line := range strings.Split(string(b), "\n") {
			k, v, ok := strings.Cut(line, ":")
			k, v = strings.TrimSpace(k), strings.TrimSpace(v)
			if ok && !seen[k] && (k == "vendor_id" || k == "model name" || k == "Serial" || k == "cpu family") {
				seen[k] = true
				parts = append(parts, FingerprintPart{"cpu", k + "=" + v})
			}
		}
	}
	if b, err := os.ReadFile("/sys/class/dmi/id/product_uuid"); err == nil {
		parts = append(parts, FingerprintPart{"cpu", "board=" + strings.TrimSpace(string(b))})
	}
	return parts
}
