"""The demo is the top of the street plan: it imports every app, and no code that runs imports
it (.importlinter puts it in the top layer; this says it once more on the import graph itself,
so a demo module moving back into an app, or an app reaching for demo data, fails here too)."""

import grimp


def test_no_module_outside_the_demo_imports_it_except_tests():
    graph = grimp.build_graph("stadtallianz", cache_dir=None)
    demo = {"stadtallianz.demo"} | graph.find_descendants("stadtallianz.demo")
    importers = {importer for module in demo
                 for importer in graph.find_modules_that_directly_import(module)}
    outside = {module for module in importers - demo if ".tests" not in module}
    assert outside == set()
    # The demo does read the apps (it is not an empty package the check would pass trivially).
    assert graph.find_modules_directly_imported_by("stadtallianz.demo.ideas") & {
        "stadtallianz.ideas.models", "stadtallianz.projects.services"}
