//! Spreadsheet exports: CSV as Dutch spreadsheet users expect it (UTF-8
//! with BOM, `;`-separated) and real XLSX workbooks. Both are formula-safe,
//! and both are written a chunk of rows at a time, so an export holds one
//! chunk in memory however long the list is (BENCHMARKS.md, "Scale").
use std::io::{Seek, SeekFrom};

use rust_xlsxwriter::{Format, Workbook, XlsxError};

/// What stands above the rows: the sheet's name, the note (who made the
/// export and when) and the column headers.
#[derive(Debug, Clone)]
pub struct Sheet {
    pub name: String,
    pub note: Option<String>,
    pub headers: Vec<String>,
}

pub type Row = Vec<String>;

/// A cell a spreadsheet would read as a formula gets a leading apostrophe,
/// so `=HYPERLINK(...)` typed into a sign-up form stays text (OWASP CSV
/// injection advice).
pub fn neutralise(cell: &str) -> String {
    if cell.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{cell}")
    } else {
        cell.to_owned()
    }
}

fn csv_writer(out: &mut Vec<u8>) -> csv::Writer<&mut Vec<u8>> {
    csv::WriterBuilder::new()
        .delimiter(b';')
        .flexible(true)
        .from_writer(out)
}

/// The start of a CSV file: the BOM Excel needs to read UTF-8, the note
/// and the header row.
pub fn csv_head(sheet: &Sheet) -> Result<Vec<u8>, csv::Error> {
    let mut out = b"\xEF\xBB\xBF".to_vec();
    {
        let mut writer = csv_writer(&mut out);
        if let Some(note) = &sheet.note {
            writer.write_record([neutralise(note)])?;
        }
        writer.write_record(&sheet.headers)?;
        writer.flush()?;
    }
    Ok(out)
}

/// CSV lines for `rows`, to follow the head or earlier rows.
pub fn csv_rows(rows: &[Row]) -> Result<Vec<u8>, csv::Error> {
    let mut out = Vec::new();
    {
        let mut writer = csv_writer(&mut out);
        for row in rows {
            writer.write_record(row.iter().map(|c| neutralise(c)))?;
        }
        writer.flush()?;
    }
    Ok(out)
}

/// Widest column, in characters: long remarks wrap in the cell instead.
const MAX_WIDTH: usize = 50;

/// An XLSX workbook written row by row. The worksheet is in the writer's
/// constant-memory mode: each finished row goes to a temporary file, so
/// memory holds one row, not the sheet. Cells are written as strings,
/// never as formulas, and neutralised too so a copy to CSV stays safe.
pub struct XlsxOut {
    workbook: Workbook,
    sheet: Sheet,
    next_row: u32,
}

impl XlsxOut {
    pub fn new(sheet: &Sheet) -> Result<Self, XlsxError> {
        let mut workbook = Workbook::new();
        workbook
            .add_worksheet_with_constant_memory()?
            .set_name(&sheet.name)?;
        Ok(XlsxOut {
            workbook,
            sheet: sheet.clone(),
            next_row: 0,
        })
    }

    /// Writes `rows` after those written before. The first call also sets
    /// the column widths, from the headers and these rows: constant-memory
    /// mode cannot autofit, as the rows are gone by the time it is saved.
    pub fn push(&mut self, rows: &[Row]) -> Result<(), XlsxError> {
        if self.next_row == 0 {
            self.start(rows)?;
        }
        let worksheet = self.workbook.worksheet_from_index(0)?;
        for row in rows {
            for (col, cell) in row.iter().enumerate() {
                worksheet.write_string(self.next_row, col as u16, neutralise(cell))?;
            }
            self.next_row += 1;
        }
        Ok(())
    }

    fn start(&mut self, first_rows: &[Row]) -> Result<(), XlsxError> {
        let bold = Format::new().set_bold();
        let worksheet = self.workbook.worksheet_from_index(0)?;
        for (col, header) in self.sheet.headers.iter().enumerate() {
            let widest = first_rows
                .iter()
                .filter_map(|row| row.get(col))
                .chain([header])
                .map(|cell| cell.chars().count())
                .max()
                .unwrap_or(0);
            worksheet.set_column_width(col as u16, (widest.clamp(8, MAX_WIDTH) + 2) as f64)?;
        }
        if let Some(note) = &self.sheet.note {
            worksheet.write_string(self.next_row, 0, neutralise(note))?;
            self.next_row += 1;
        }
        for (col, header) in self.sheet.headers.iter().enumerate() {
            worksheet.write_string_with_format(self.next_row, col as u16, header, &bold)?;
        }
        self.next_row += 1;
        Ok(())
    }

    /// The finished workbook, in an unnamed temporary file (gone when the
    /// file is closed), read from its start.
    pub fn finish(mut self) -> Result<std::fs::File, XlsxError> {
        if self.next_row == 0 {
            self.start(&[])?;
        }
        let mut file = tempfile::tempfile()?;
        self.workbook.save_to_writer(&mut file)?;
        file.seek(SeekFrom::Start(0))?;
        Ok(file)
    }
}

#[cfg(test)]
mod tests {
    use std::io::Read;

    use super::*;

    fn sheet() -> Sheet {
        Sheet {
            name: "Aanmeldingen".into(),
            note: None,
            headers: vec!["Naam".into(), "Opmerking".into()],
        }
    }

    fn rows() -> Vec<Row> {
        vec![
            vec!["Zoë".into(), "=HYPERLINK(\"http://x\")".into()],
            vec!["a;b".into(), "-1+1".into()],
        ]
    }

    #[test]
    fn csv_has_a_bom_semicolons_and_no_live_formulas() {
        let mut bytes = csv_head(&sheet()).unwrap();
        bytes.extend(csv_rows(&rows()).unwrap());
        let text = String::from_utf8(bytes).unwrap();
        assert!(text.starts_with('\u{feff}'));
        assert!(text.contains("Naam;Opmerking"));
        assert!(text.contains("Zoë;\"'=HYPERLINK"), "{text}");
        assert!(text.contains("\"a;b\";'-1+1"), "{text}");
    }

    #[test]
    fn xlsx_is_a_zip_workbook_even_without_rows() {
        for chunks in [vec![], vec![rows()]] {
            let mut out = XlsxOut::new(&sheet()).unwrap();
            for chunk in &chunks {
                out.push(chunk).unwrap();
            }
            let mut bytes = Vec::new();
            out.finish().unwrap().read_to_end(&mut bytes).unwrap();
            assert_eq!(&bytes[..2], b"PK");
        }
    }
}
