// importers.h — public API of suture_schema: turn external schema definitions (FHIR R4
// StructureDefinitions/ValueSets/CodeSystems, Odoo fields_get output) into generated .sut
// modules for stdlib/. Pipeline position: offline tool behind `suture schema import`; the
// front end only ever reads the .sut files it writes.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace suture::schema {

struct ImportReport {
  // "file: what is wrong" — problems with the inputs (or the output folder), never thrown.
  // An import with errors still writes what it could; callers decide the exit code.
  std::vector<std::string> errors;
  // Every file written, sorted.
  std::vector<std::filesystem::path> written;
};

// inputs: files or directories (searched recursively for *.json) holding FHIR
// StructureDefinition, ValueSet and CodeSystem resources, or Bundles of them.
// Writes module `fhir.r4` into out_dir: datatypes.sut, enums.sut, one file per resource and
// one per profile. Stale generated .sut files in out_dir are removed.
ImportReport import_fhir(const std::vector<std::filesystem::path>& inputs, const std::filesystem::path& out_dir);

// fields_get_json: {"res.partner": {"name": {"type": "char", "string": "Name", ...}, ...}, ...}
// as returned by Odoo's fields_get for several models. Writes module `odoo` into out_dir:
// one file per model and related.sut with minimal records for relation targets.
ImportReport import_odoo(const std::filesystem::path& fields_get_json, const std::filesystem::path& out_dir);

}  // namespace suture::schema
