"""The rules of the product, free of I/O: nothing here touches a database, a file or Qt."""
