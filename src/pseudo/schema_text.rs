//! The text of a Parquet output's schema, judged (issue 23, class 1): field names at every
//! depth, field metadata, schema metadata and the file's key-value metadata. Exporters put
//! queries, user names and comments there, and a column or struct field may be named after a
//! value (`jane.doe@example.com`). Each string is judged like free text and written again
//! from what was judged: a value found in it is replaced by its operator, as in a cell
//! ([`super::replace_text`]); `ARROW:schema` is not copied but encoded again from the judged
//! schema by the writer.
//!
//! Renaming a struct's child changes the struct's type, so arrays built under the input's
//! types are re-typed to the judged schema ([`retype`]) before they are written.

use super::PseudoError;
use arrow_array::{ArrayRef, make_array};
use arrow_schema::{ArrowError, DataType, Field, FieldRef, Fields, Schema};
use std::collections::HashMap;
use std::sync::Arc;

/// Judges one string: `Some(new text)` when something was found in it.
pub type Judge<'a> = dyn Fn(&str) -> Result<Option<String>, PseudoError> + 'a;

/// `map` with every key and value judged.
pub fn judge_map<'m>(
    map: impl IntoIterator<Item = (&'m String, &'m String)>,
    judge: &Judge<'_>,
) -> Result<HashMap<String, String>, PseudoError> {
    let mut out = HashMap::new();
    for (k, v) in map {
        let k2 = judge(k)?.unwrap_or_else(|| k.clone());
        let v2 = judge(v)?.unwrap_or_else(|| v.clone());
        out.insert(k2, v2);
    }
    Ok(out)
}

fn judge_field(f: &Field, judge: &Judge<'_>) -> Result<Field, PseudoError> {
    let name = judge(f.name())?.unwrap_or_else(|| f.name().clone());
    let dt = judge_type(f.data_type(), judge)?;
    Ok(Field::new(name, dt, f.is_nullable()).with_metadata(judge_map(f.metadata(), judge)?))
}

fn judge_child(f: &FieldRef, judge: &Judge<'_>) -> Result<FieldRef, PseudoError> {
    Ok(Arc::new(judge_field(f, judge)?))
}

fn judge_type(dt: &DataType, judge: &Judge<'_>) -> Result<DataType, PseudoError> {
    Ok(match dt {
        DataType::Struct(children) => DataType::Struct(Fields::from(
            children
                .iter()
                .map(|c| judge_child(c, judge))
                .collect::<Result<Vec<_>, _>>()?,
        )),
        DataType::List(c) => DataType::List(judge_child(c, judge)?),
        DataType::LargeList(c) => DataType::LargeList(judge_child(c, judge)?),
        DataType::FixedSizeList(c, n) => DataType::FixedSizeList(judge_child(c, judge)?, *n),
        DataType::Map(c, sorted) => DataType::Map(judge_child(c, judge)?, *sorted),
        other => other.clone(),
    })
}

/// `schema` with every field name, field metadata and schema metadata judged.
pub fn judge_schema(schema: &Schema, judge: &Judge<'_>) -> Result<Schema, PseudoError> {
    let fields = schema
        .fields()
        .iter()
        .map(|f| judge_field(f, judge))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Schema::new_with_metadata(
        fields,
        judge_map(schema.metadata(), judge)?,
    ))
}

/// `array` under `dt`, a type of the same layout whose field names or metadata differ.
pub fn retype(array: &ArrayRef, dt: &DataType) -> Result<ArrayRef, ArrowError> {
    if array.data_type() == dt {
        return Ok(Arc::clone(array));
    }
    Ok(make_array(retype_data(array.to_data(), dt)?))
}

fn retype_data(
    data: arrow_data::ArrayData,
    dt: &DataType,
) -> Result<arrow_data::ArrayData, ArrowError> {
    if data.data_type() == dt {
        return Ok(data);
    }
    let child_types: Vec<&DataType> = match dt {
        DataType::Struct(fs) => fs.iter().map(|f| f.data_type()).collect(),
        DataType::List(f)
        | DataType::LargeList(f)
        | DataType::FixedSizeList(f, _)
        | DataType::Map(f, _) => vec![f.data_type()],
        _ => Vec::new(),
    };
    let children = if child_types.len() == data.child_data().len() {
        data.child_data()
            .iter()
            .zip(child_types)
            .map(|(c, t)| retype_data(c.clone(), t))
            .collect::<Result<Vec<_>, _>>()?
    } else {
        data.child_data().to_vec()
    };
    data.into_builder()
        .data_type(dt.clone())
        .child_data(children)
        .build()
}

#[cfg(test)]
mod tests {
    use super::*;
    use arrow_array::{Array, Int32Array, StructArray};

    #[test]
    fn names_and_metadata_are_judged_and_arrays_follow_the_new_names() {
        let judge = |t: &str| -> Result<Option<String>, PseudoError> {
            Ok(t.contains("@").then(|| "tok".to_string()))
        };
        let child = Field::new("a@example.com", DataType::Int32, true).with_metadata(
            HashMap::from([("comment".into(), "by b@example.com".into())]),
        );
        let st = StructArray::from(vec![(
            Arc::new(child),
            Arc::new(Int32Array::from(vec![1, 2])) as ArrayRef,
        )]);
        let schema = Schema::new_with_metadata(
            vec![Field::new("contact", st.data_type().clone(), true)],
            HashMap::from([("exported_by".into(), "c@example.com".into())]),
        );
        let out = judge_schema(&schema, &judge).unwrap();
        assert_eq!(out.metadata()["exported_by"], "tok");
        let DataType::Struct(fs) = out.field(0).data_type() else {
            panic!("a struct")
        };
        assert_eq!(fs[0].name(), "tok");
        assert_eq!(fs[0].metadata()["comment"], "tok");
        let a: ArrayRef = Arc::new(st);
        let r = retype(&a, out.field(0).data_type()).unwrap();
        assert_eq!(r.data_type(), out.field(0).data_type());
        assert_eq!(r.len(), 2);
    }
}
