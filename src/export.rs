//! Spreadsheet exports: CSV as Dutch spreadsheet users expect it (UTF-8
//! with BOM, `;`-separated) and real XLSX workbooks. Both are formula-safe.
use rust_xlsxwriter::{Format, Workbook, XlsxError};

/// A header row and data rows, all text; the note, when there is one,
/// stands above them (who made the export and when).
pub struct Table {
    pub sheet_name: String,
    pub note: Option<String>,
    pub headers: Vec<String>,
    pub rows: Vec<Vec<String>>,
}

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

pub fn to_csv(table: &Table) -> Result<Vec<u8>, csv::Error> {
    let mut out = b"\xEF\xBB\xBF".to_vec();
    {
        let mut writer = csv::WriterBuilder::new()
            .delimiter(b';')
            .flexible(true)
            .from_writer(&mut out);
        if let Some(note) = &table.note {
            writer.write_record([neutralise(note)])?;
        }
        writer.write_record(&table.headers)?;
        for row in &table.rows {
            writer.write_record(row.iter().map(|c| neutralise(c)))?;
        }
        writer.flush()?;
    }
    Ok(out)
}

/// Cells are written as strings, never as formulas, and neutralised too so
/// a copy to CSV later stays safe.
pub fn to_xlsx(table: &Table) -> Result<Vec<u8>, XlsxError> {
    let mut workbook = Workbook::new();
    let bold = Format::new().set_bold();
    let sheet = workbook.add_worksheet();
    sheet.set_name(&table.sheet_name)?;
    let first = match &table.note {
        Some(note) => {
            sheet.write_string(0, 0, neutralise(note))?;
            1
        }
        None => 0,
    };
    for (col, header) in table.headers.iter().enumerate() {
        sheet.write_string_with_format(first, col as u16, header, &bold)?;
    }
    for (r, row) in table.rows.iter().enumerate() {
        for (col, cell) in row.iter().enumerate() {
            sheet.write_string(first + r as u32 + 1, col as u16, neutralise(cell))?;
        }
    }
    // Wide enough to read, but the note above does not stretch column A.
    sheet.set_autofit_max_width(400);
    sheet.autofit();
    workbook.save_to_buffer()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table() -> Table {
        Table {
            sheet_name: "Aanmeldingen".into(),
            note: None,
            headers: vec!["Naam".into(), "Opmerking".into()],
            rows: vec![
                vec!["Zoë".into(), "=HYPERLINK(\"http://x\")".into()],
                vec!["a;b".into(), "-1+1".into()],
            ],
        }
    }

    #[test]
    fn csv_has_a_bom_semicolons_and_no_live_formulas() {
        let bytes = to_csv(&table()).unwrap();
        let text = String::from_utf8(bytes).unwrap();
        assert!(text.starts_with('\u{feff}'));
        assert!(text.contains("Naam;Opmerking"));
        assert!(text.contains("Zoë;\"'=HYPERLINK"), "{text}");
        assert!(text.contains("\"a;b\";'-1+1"), "{text}");
    }

    #[test]
    fn xlsx_is_a_zip_workbook() {
        let bytes = to_xlsx(&table()).unwrap();
        assert_eq!(&bytes[..2], b"PK");
    }
}
