"""What people use: the command line, the local web page, the HTML evidence report and the Spark engine."""
