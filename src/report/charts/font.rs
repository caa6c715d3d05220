//! The fonts of the PNG charts, bundled so that no system font library is needed: DejaVu Sans
//! (Latin, Greek, Cyrillic and many symbols) and a subset of WenQuanYi Micro Hei (Apache-2.0; ASCII,
//! Latin-1, CJK punctuation, kana, full-width forms and the 6,763 hanzi of GB 2312, 1.3 MB; see
//! `assets/fonts/WenQuanYiMicroHei-GB2312-LICENSE.txt`). plotters draws a text in one font, with no
//! fallback per glyph, so a run's charts are drawn in DejaVu Sans unless one of its tables holds a
//! CJK character, and then wholly in WenQuanYi Micro Hei (which has Latin letters too). Characters
//! in neither font (e.g. traditional hanzi outside GB 2312, emoji) are still drawn as boxes; the
//! report's SVG charts use the reader's fonts and show them.

use plotters::style::FontStyle;
use std::cell::Cell;
use std::path::Path;
use std::sync::Once;

/// The family name DejaVu Sans is registered under.
pub(crate) const FONT: &str = "sans-serif";

/// The family name the CJK font is registered under.
pub(crate) const CJK_FONT: &str = "cjk-sans";

thread_local! {
    /// The family the charts drawn on this thread use.
    static FAMILY: Cell<&'static str> = const { Cell::new(FONT) };
}

/// Registers the bundled fonts once per process.
pub(crate) fn register_font() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        let fonts: [(&str, &'static [u8]); 2] = [
            (FONT, include_bytes!("../../../assets/fonts/DejaVuSans.ttf")),
            (
                CJK_FONT,
                include_bytes!("../../../assets/fonts/WenQuanYiMicroHei-GB2312.ttf"),
            ),
        ];
        for (family, bytes) in fonts {
            if plotters::style::register_font(family, FontStyle::Normal, bytes).is_err() {
                panic!("the bundled font {family} is a valid TrueType font");
            }
        }
    });
}

/// The family of the charts being drawn on this thread.
pub(crate) fn family() -> &'static str {
    FAMILY.with(Cell::get)
}

/// Whether `c` is a CJK character (ideographs, kana, Hangul, CJK punctuation, full-width forms),
/// which DejaVu Sans lacks.
pub(crate) fn is_cjk(c: char) -> bool {
    matches!(c as u32,
        0x2E80..=0x9FFF | 0xA960..=0xA97F | 0xAC00..=0xD7FF | 0xF900..=0xFAFF | 0xFE30..=0xFE4F | 0xFF00..=0xFFEF | 0x20000..=0x3FFFF)
}

/// The font family of the charts drawn while it lives (on this thread): the CJK font when a text
/// they may draw has a CJK character. Dropping it restores the previous family.
pub(crate) struct FontScope {
    previous: &'static str,
}

impl FontScope {
    /// The family for charts whose texts are among `texts`.
    pub(crate) fn for_texts<'t>(texts: impl IntoIterator<Item = &'t str>) -> FontScope {
        let cjk = texts.into_iter().any(|t| t.chars().any(is_cjk));
        let previous = FAMILY.with(|f| f.replace(if cjk { CJK_FONT } else { FONT }));
        FontScope { previous }
    }

    /// The family for charts drawn from the CSV tables of the run folder `dir` (charts draw only
    /// their tables' texts, besides fixed English ones).
    pub(crate) fn for_folder(dir: &Path) -> FontScope {
        let tables: Vec<String> = std::fs::read_dir(dir)
            .into_iter()
            .flatten()
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "csv"))
            .filter_map(|p| std::fs::read(p).ok())
            .map(|bytes| String::from_utf8_lossy(&bytes).into_owned())
            .collect();
        FontScope::for_texts(tables.iter().map(String::as_str))
    }
}

impl Drop for FontScope {
    fn drop(&mut self) {
        FAMILY.with(|f| f.set(self.previous));
    }
}

#[cfg(test)]
mod tests {
    use super::super::text_style;
    use super::*;
    use plotters::prelude::*;

    /// The dark pixels of `text` drawn at 40 px in the family of `texts`' scope, row by row.
    fn ink(text: &str, texts: &[&str]) -> Vec<bool> {
        register_font();
        let _scope = FontScope::for_texts(texts.iter().copied());
        let (w, h) = (200u32, 60u32);
        let mut pixels = vec![255u8; (w * h * 3) as usize];
        {
            let area = BitMapBackend::with_buffer(&mut pixels, (w, h)).into_drawing_area();
            area.draw(&Text::new(text.to_string(), (5, 5), text_style(40))).unwrap();
            area.present().unwrap();
        }
        pixels.chunks(3).map(|p| p[0] < 128).collect()
    }

    /// A CJK label is drawn with real glyphs: two different characters give different, non-empty
    /// pictures (drawn as DejaVu Sans's missing-glyph box, both are the same box), while Latin
    /// text keeps DejaVu Sans (the same pixels as before the CJK font was added).
    #[test]
    fn cjk_labels_render_their_glyphs() {
        let (ji, liang) = (ink("剂", &["剂量"]), ink("量", &["剂量"]));
        let count = |v: &[bool]| v.iter().filter(|&&b| b).count();
        assert!(
            count(&ji) > 50 && count(&liang) > 50,
            "{} and {} dark pixels",
            count(&ji),
            count(&liang)
        );
        assert_ne!(ji, liang, "two hanzi drawn alike: missing-glyph boxes");
        // Without the scope, DejaVu Sans draws both as its missing-glyph box.
        assert_eq!(
            ink("剂", &[]),
            ink("量", &[]),
            "DejaVu Sans has no hanzi: both are its box"
        );
        assert_eq!(family(), FONT, "the scope is dropped");
        assert_ne!(
            ink("BOIN", &[]),
            ink("BOIN", &["剂量"]),
            "Latin text in the CJK font differs"
        );
    }
}
