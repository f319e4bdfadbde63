"""Officials' outputs: map, workbook, HTML report, GeoPackage and run comparison."""
