// The versions hcl2-parser 1.0.3 is built from (its go.mod), so both readers are one parser.
module matrixbake/test/hcl2json

go 1.21

require github.com/tmccombs/hcl2json v0.3.3

require (
	github.com/agext/levenshtein v1.2.3 // indirect
	github.com/apparentlymart/go-textseg/v13 v13.0.0 // indirect
	github.com/hashicorp/hcl/v2 v2.10.0 // indirect
	github.com/mitchellh/go-wordwrap v1.0.1 // indirect
	github.com/zclconf/go-cty v1.8.1 // indirect
	golang.org/x/text v0.3.5 // indirect
)
