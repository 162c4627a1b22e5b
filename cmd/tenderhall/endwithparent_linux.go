package main

import (
	"os/exec"
	"syscall"
)

// endWithParent has the kernel send the child SIGINT when the server dies,
// even by kill -9: an encoder then ends its playlist instead of filming
// on with no one to upload what it records.
func endWithParent(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGINT}
}
