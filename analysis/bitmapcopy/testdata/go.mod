module example.com/bitmapcopy

go 1.26.0
