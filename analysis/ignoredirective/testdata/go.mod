module example.com/ignoredirective

go 1.26.0
