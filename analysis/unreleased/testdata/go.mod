module example.com/unreleased

go 1.26.0
