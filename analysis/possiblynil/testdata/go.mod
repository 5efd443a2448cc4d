module example.com/possiblynil

go 1.26.0
