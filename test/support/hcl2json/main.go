// hcl2json's conversion (what hcl2-parser runs, compiled by GopherJS) as one long-running
// process: HCL documents in on stdin, JSON out on stdout, each framed by a 4-byte big-endian
// length. An error comes back as "!" and its message. test/support/hcl-native.ts drives it.
package main

import (
	"bufio"
	"encoding/binary"
	"io"
	"os"

	"github.com/tmccombs/hcl2json/convert"
)

func main() {
	in := bufio.NewReader(os.Stdin)
	out := bufio.NewWriter(os.Stdout)
	for {
		var n uint32
		if err := binary.Read(in, binary.BigEndian, &n); err != nil {
			if err == io.EOF {
				return
			}
			panic(err)
		}
		doc := make([]byte, n)
		if _, err := io.ReadFull(in, doc); err != nil {
			panic(err)
		}
		res, err := convert.Bytes(doc, "", convert.Options{})
		if err != nil {
			res = append([]byte{'!'}, err.Error()...)
		}
		if err := binary.Write(out, binary.BigEndian, uint32(len(res))); err != nil {
			panic(err)
		}
		out.Write(res)
		if err := out.Flush(); err != nil {
			panic(err)
		}
	}
}
