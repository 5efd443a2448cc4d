module example.com/useafterrelease

go 1.26.0
